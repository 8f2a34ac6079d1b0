"""Clinical knowledge as pure Python: no Qt, no SQLAlchemy, no I/O."""
