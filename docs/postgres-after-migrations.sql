-- Run as mdtboard_owner after each upgrade (mdtboard check): the audit trail is
-- append-only for the application role, enforced by the database itself.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM mdtboard_app;
GRANT SELECT, INSERT ON audit_events TO mdtboard_app;
REVOKE ALL ON alembic_version FROM mdtboard_app;
GRANT SELECT ON alembic_version TO mdtboard_app;
