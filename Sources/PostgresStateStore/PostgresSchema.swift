import Foundation
import Logging
import PostgresNIO
import SSAToolkit

/// The state store's schema, made by its owner, never by the service: the replay table, the
/// audit table, a trigger that refuses `UPDATE`, `DELETE` and `TRUNCATE` on the audit table, and
/// grants that leave the service's role `INSERT` and `SELECT` on the audit table (plus what the
/// replay table needs). An attacker holding the service's credentials can then add records but
/// not change or remove one.
///
/// `ssa-verify state-store init` runs it; `integrations/postgres/schema.sql` is the same text
/// for `psql -v service_role=ROLE -f schema.sql` (a test keeps the two in step).
public enum PostgresSchema {
    /// The statements, in order, for the service role `role` (a quoted identifier), or for
    /// psql's `:"service_role"` when `role` is `nil`.
    public static func statements(serviceRole role: String?) -> [String] {
        let service = role.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" } ?? ":\"service_role\""
        return [
            """
            CREATE TABLE IF NOT EXISTS ssa_replay (
                issuer bytea NOT NULL, jti bytea NOT NULL, expires_at timestamptz NOT NULL,
                PRIMARY KEY (issuer, jti))
            """,
            "CREATE INDEX IF NOT EXISTS ssa_replay_expiry ON ssa_replay (expires_at)",
            """
            CREATE TABLE IF NOT EXISTS ssa_audit (
                node text NOT NULL, seq bigint NOT NULL CHECK (seq > 0), line bytea NOT NULL,
                recorded_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (node, seq))
            """,
            """
            CREATE OR REPLACE FUNCTION ssa_audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $body$
            BEGIN
                RAISE EXCEPTION 'ssa_audit is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
            END
            $body$
            """,
            "DROP TRIGGER IF EXISTS ssa_audit_append_only ON ssa_audit",
            "CREATE TRIGGER ssa_audit_append_only BEFORE UPDATE OR DELETE ON ssa_audit FOR EACH ROW EXECUTE FUNCTION ssa_audit_refuse_change()",
            "DROP TRIGGER IF EXISTS ssa_audit_no_truncate ON ssa_audit",
            "CREATE TRIGGER ssa_audit_no_truncate BEFORE TRUNCATE ON ssa_audit FOR EACH STATEMENT EXECUTE FUNCTION ssa_audit_refuse_change()",
            "REVOKE ALL ON ssa_audit, ssa_replay FROM PUBLIC",
            "REVOKE ALL ON ssa_audit, ssa_replay FROM \(service)",
            "GRANT SELECT, INSERT ON ssa_audit TO \(service)",
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ssa_replay TO \(service)",
        ]
    }

    /// The text of `integrations/postgres/schema.sql`.
    public static var psqlFile: String {
        """
        -- ssa-toolkit state store schema (generated from PostgresSchema.statements; a test checks it).
        -- Run it as the schema's owner, never as the service's role:
        --   psql "postgres://OWNER@HOST:PORT/DATABASE" -v ON_ERROR_STOP=1 -v service_role=SERVICE_ROLE -f schema.sql
        -- or: ssa-verify state-store init --config FILE --admin-url postgres://OWNER@HOST:PORT/DATABASE
        -- The service's role then has INSERT and SELECT on ssa_audit (a trigger refuses UPDATE,
        -- DELETE and TRUNCATE whoever asks) and what the replay table needs on ssa_replay.

        """ + statements(serviceRole: nil).map { $0 + ";\n" }.joined(separator: "\n")
    }

    /// Why the connected role may not write the audit chain (it could change or remove records,
    /// or the append-only trigger is missing), or `nil` when it may.
    static func problem(client: PostgresClient, logger: Logger) async throws -> String? {
        let rows = try await client.query("""
            SELECT pg_get_userbyid(c.relowner) = current_user,
                   has_table_privilege(c.oid, 'UPDATE'), has_table_privilege(c.oid, 'DELETE'), has_table_privilege(c.oid, 'TRUNCATE'),
                   COALESCE((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false),
                   (SELECT count(*) FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname IN ('ssa_audit_append_only', 'ssa_audit_no_truncate') AND t.tgenabled <> 'D'),
                   to_regclass('ssa_replay') IS NOT NULL, current_user
            FROM pg_class c WHERE c.oid = to_regclass('ssa_audit')
            """, logger: logger)
        let fix = "run `ssa-verify state-store init` (or integrations/postgres/schema.sql) as the schema's owner, and give the service a role of its own with INSERT and SELECT on ssa_audit only"
        for try await (owns, update, delete, truncate, superuser, triggers, replay, role) in rows.decode((Bool, Bool, Bool, Bool, Bool, Int64, Bool, String).self) {
            var powers: [String] = []
            if superuser { powers.append("is a superuser") }
            if owns { powers.append("owns ssa_audit (and could drop its trigger)") }
            if update { powers.append("may UPDATE") }
            if delete { powers.append("may DELETE") }
            if truncate { powers.append("may TRUNCATE") }
            if !powers.isEmpty {
                return "the state store role \(role) \(powers.joined(separator: ", ")) audit rows, so the audit chain would not be append-only: \(fix)"
            }
            if triggers < 2 { return "ssa_audit has no append-only trigger (or it is disabled): \(fix)" }
            if !replay { return "the table ssa_replay does not exist: \(fix)" }
            return nil
        }
        return "the table ssa_audit does not exist: \(fix)"
    }
}
