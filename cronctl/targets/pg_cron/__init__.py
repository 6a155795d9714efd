"""pg_cron (Supabase Cron, or any PostgreSQL with the extension): jobs in cron.job."""
