"""The vercel target: jobs as vercel.json crons (or Vercel Schedules), the deployed crons read
through Vercel's REST API, and the runs `cronctl dev` records."""
