"""Operations: backup and restore, error tracking."""
