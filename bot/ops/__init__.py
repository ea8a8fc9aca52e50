"""Operations: the production server, the runtime process, logs, `coach doctor` and `coach checkin`."""
