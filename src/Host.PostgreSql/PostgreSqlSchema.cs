using Npgsql;

namespace Airlock.PostgreSql;

/// <summary>
/// The versioned schema of the shared policy state. Each migration runs once, in order, recorded in
/// <c>schema_version</c>; all of them run in one transaction under an advisory lock, so instances that start
/// together wait for each other and the second finds the work done.
/// </summary>
internal static class PostgreSqlSchema
{
    /// <summary>The advisory-lock class of schema migrations (the second key is the schema's hash).</summary>
    internal const int MigrationLockClass = 0x41694D; // "AiM"

    /// <summary>The advisory-lock class of one plugin's key-value writes (the second key is the plugin id's hash).</summary>
    internal const int KeyValueLockClass = 0x41694B; // "AiK"

    /// <summary>The migrations, by version: each a list of statements with <c>{s}</c> for the quoted schema.</summary>
    internal static readonly (int Version, string Description, string Sql)[] Migrations =
    [
        (1, "approvals, audit log, key-value store and fleet-wide rate limits", """
            CREATE TABLE {s}.approvals (
                plugin_id TEXT NOT NULL,
                version TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                module_sha256 TEXT NOT NULL,
                carried_over_from TEXT,
                approved_at_ticks BIGINT NOT NULL,
                approved_by TEXT NOT NULL,
                PRIMARY KEY (plugin_id, version, fingerprint, module_sha256));
            CREATE INDEX approvals_latest ON {s}.approvals (plugin_id, approved_at_ticks DESC);

            CREATE TABLE {s}.audit_log (
                id BIGSERIAL PRIMARY KEY,
                timestamp_ticks BIGINT NOT NULL,
                plugin_id TEXT NOT NULL,
                plugin_version TEXT NOT NULL,
                action TEXT NOT NULL,
                target TEXT NOT NULL,
                allowed BOOLEAN NOT NULL,
                detail TEXT,
                count BIGINT NOT NULL DEFAULT 1,
                last_timestamp_ticks BIGINT,
                last_target TEXT,
                instance TEXT NOT NULL);
            CREATE INDEX audit_log_by_plugin ON {s}.audit_log (plugin_id, timestamp_ticks);
            CREATE INDEX audit_log_by_time ON {s}.audit_log (timestamp_ticks);

            CREATE TABLE {s}.plugin_kv (
                plugin_id TEXT NOT NULL,
                key TEXT NOT NULL,
                size BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                value BYTEA NOT NULL,
                PRIMARY KEY (plugin_id, key));

            CREATE TABLE {s}.rate_limits (
                plugin_id TEXT PRIMARY KEY,
                permit_limit INTEGER NOT NULL,
                window_ms BIGINT NOT NULL,
                overridden BOOLEAN NOT NULL);
            CREATE TABLE {s}.rate_limit_segments (
                plugin_id TEXT NOT NULL,
                segment_start_ms BIGINT NOT NULL,
                used INTEGER NOT NULL,
                PRIMARY KEY (plugin_id, segment_start_ms));

            -- One permit, fleet-wide: the plugin's limit row is locked (FOR UPDATE) for the rest of the transaction,
            -- so concurrent acquires of one plugin, from any instance, count one after another and their sum never
            -- passes the limit. Time is the database's clock, one clock for the fleet. Segments start at multiples
            -- of window/segments since the epoch; a permit comes back when its segment leaves the window.
            CREATE FUNCTION {s}.rate_acquire(p_plugin TEXT, p_default_limit INTEGER, p_default_window_ms BIGINT, p_segments INTEGER)
            RETURNS TABLE (allowed BOOLEAN, permit_limit INTEGER, window_ms BIGINT, remaining INTEGER, retry_after_ms BIGINT)
            LANGUAGE plpgsql AS $$
            DECLARE
                v_limit INTEGER;
                v_window BIGINT;
                v_overridden BOOLEAN;
                v_segment BIGINT;
                v_span BIGINT;
                v_now BIGINT;
                v_start BIGINT;
                v_used BIGINT;
                v_oldest BIGINT;
            BEGIN
                INSERT INTO {s}.rate_limits AS r (plugin_id, permit_limit, window_ms, overridden)
                    VALUES (p_plugin, p_default_limit, p_default_window_ms, FALSE)
                    ON CONFLICT (plugin_id) DO NOTHING;
                SELECT r.permit_limit, r.window_ms, r.overridden INTO v_limit, v_window, v_overridden
                    FROM {s}.rate_limits r WHERE r.plugin_id = p_plugin FOR UPDATE;
                IF NOT v_overridden AND (v_limit <> p_default_limit OR v_window <> p_default_window_ms) THEN
                    UPDATE {s}.rate_limits r SET permit_limit = p_default_limit, window_ms = p_default_window_ms WHERE r.plugin_id = p_plugin;
                    v_limit := p_default_limit;
                    v_window := p_default_window_ms;
                END IF;

                v_segment := GREATEST(v_window / p_segments, 1);
                v_span := v_segment * p_segments;
                v_now := FLOOR(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT;
                v_start := v_now - (v_now % v_segment);
                DELETE FROM {s}.rate_limit_segments g WHERE g.plugin_id = p_plugin AND g.segment_start_ms <= v_start - v_span;
                SELECT COALESCE(SUM(g.used), 0), MIN(g.segment_start_ms) INTO v_used, v_oldest
                    FROM {s}.rate_limit_segments g WHERE g.plugin_id = p_plugin;
                IF v_used < v_limit THEN
                    INSERT INTO {s}.rate_limit_segments AS g (plugin_id, segment_start_ms, used) VALUES (p_plugin, v_start, 1)
                        ON CONFLICT (plugin_id, segment_start_ms) DO UPDATE SET used = g.used + 1;
                    RETURN QUERY SELECT TRUE, v_limit, v_window, (v_limit - v_used - 1)::INTEGER, NULL::BIGINT;
                ELSE
                    RETURN QUERY SELECT FALSE, v_limit, v_window, 0, GREATEST(v_oldest + v_span - v_now, 0);
                END IF;
            END;
            $$;
            """),
    ];

    /// <summary>The newest schema version this build knows.</summary>
    internal static int LatestVersion => Migrations[^1].Version;

    /// <summary>Creates or migrates the schema; safe when several instances start at once.</summary>
    /// <returns>The schema version before and after.</returns>
    internal static (int Before, int After) Migrate(NpgsqlConnection connection, string schema)
    {
        string s = Quote(schema);
        using NpgsqlTransaction transaction = connection.BeginTransaction();
        Execute(connection, "SELECT pg_advisory_xact_lock($1, hashtext($2))", MigrationLockClass, schema);
        Execute(connection, $"CREATE SCHEMA IF NOT EXISTS {s}");
        Execute(connection, $"CREATE TABLE IF NOT EXISTS {s}.schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
        int before;
        using (var current = new NpgsqlCommand($"SELECT COALESCE(MAX(version), 0) FROM {s}.schema_version", connection))
        {
            before = Convert.ToInt32(current.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }

        if (before > LatestVersion)
        {
            throw new NotSupportedException($"The schema '{schema}' is at version {before}, newer than this Airlock knows ({LatestVersion}); upgrade Airlock.Host.PostgreSql on this instance.");
        }

        foreach ((int version, string description, string sql) in Migrations)
        {
            if (version <= before)
            {
                continue;
            }

            Execute(connection, sql.Replace("{s}", s, StringComparison.Ordinal));
            Execute(connection, $"INSERT INTO {s}.schema_version (version, description) VALUES ($1, $2)", version, description);
        }

        transaction.Commit();
        return (before, LatestVersion);
    }

    /// <summary>A validated identifier, quoted.</summary>
    internal static string Quote(string identifier) => "\"" + identifier + "\"";

    private static void Execute(NpgsqlConnection connection, string sql, params object[] parameters)
    {
        using var command = new NpgsqlCommand(sql, connection);
        foreach (object parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        command.ExecuteNonQuery();
    }
}
