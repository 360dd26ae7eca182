"""Operations: package, deploy, status, logs, score, delete, keys (targets arrive in later releases)."""
