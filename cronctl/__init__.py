"""cronctl: Vercel crons and Upstash QStash schedules from one schedules.yaml."""

__version__ = "0.1.0"
