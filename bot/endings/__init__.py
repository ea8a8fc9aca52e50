"""Endings: the retrospective in the home thread (`retro_add` → `retro_modal`, `commitment_next`) and released promises."""
