// Check in to `cronctl run` from a Next.js cron route (App Router). No dependencies.
//
//   // app/api/cron/nightly/route.ts
//   import { withCheckin } from "@/lib/withCheckin";
//   export const GET = withCheckin("nightly", "0 3 * * *", async (req, runId) => {
//     if (await alreadyDone(runId)) return new Response("duplicate");  // failover + late run
//     await doTheWork();
//     return new Response("ok");
//   });
//
// Pings `${CRONCTL_PING_URL}/<job>/start?rid=<run id>` before the handler, then `<job>?rid=`
// (a 2xx answer) or `<job>/fail?rid=` (an error or a non-2xx answer). CRONCTL_PING_URL is
// the runner's ping base with its key (a secret), e.g. https://runner.internal:9464/ping/<key>.
// A ping that cannot be sent never fails the route. Check CRON_SECRET (or the QStash
// signature) before this runs, as you do today.
//
// The run ID is the one cronctl's failover uses for the same slot, `<job>@<slot, UTC ISO>`:
// a failover call says it (`x-cronctl-run-id`); a provider's own delivery gets it from the
// schedule: the latest time the schedule names at or before now (UTC, 2 s of skew allowed).
// examples/checkins/cronctl_checkin.py is the same in Python (tested against robfig).

const SKEW_MS = 2_000;
const NAMES: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11,
  dec: 12, sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6,
};
const MACROS: Record<string, string> = {
  "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

function field(text: string, low: number, high: number): [Set<number>, boolean] {
  const out = new Set<number>();
  for (let part of text.toLowerCase().split(",")) {
    let step = 1;
    if (part.includes("/")) {
      const [p, s] = part.split("/");
      part = p;
      step = Number(s);
    }
    let a: number;
    let b: number;
    if (part === "*" || part === "?") [a, b] = [low, high];
    else if (part.includes("-")) {
      const [x, y] = part.split("-");
      [a, b] = [NAMES[x] ?? Number(x), NAMES[y] ?? Number(y)];
    } else {
      a = NAMES[part] ?? Number(part);
      b = step > 1 ? high : a;
    }
    for (let v = a; v <= b; v += step) out.add(v);
  }
  return [out, text === "*" || text === "?"];
}

/** The latest time `schedule` (5 fields, UTC: Vercel's crons) names at or before `now`. */
export function slot(schedule: string, now: Date = new Date()): Date {
  const text = MACROS[schedule.trim()] ?? schedule.trim();
  const [mi, ho, dm, mo, dw] = text.split(/\s+/);
  const [mins] = field(mi, 0, 59);
  const [hours] = field(ho, 0, 23);
  const [days, anyDay] = field(dm, 1, 31);
  const [months] = field(mo, 1, 12);
  const [dows, anyDow] = field(dw, 0, 7);
  const weekdays = new Set([...dows].map((d) => d % 7));
  let t = Math.floor((now.getTime() + SKEW_MS) / 60_000) * 60_000;
  for (let i = 0; i < 366 * 24 * 60; i++, t -= 60_000) {
    const d = new Date(t);
    const domOk = days.has(d.getUTCDate());
    const dowOk = weekdays.has(d.getUTCDay());
    const dayOk = anyDay || anyDow ? domOk && dowOk : domOk || dowOk;
    if (mins.has(d.getUTCMinutes()) && hours.has(d.getUTCHours()) &&
        months.has(d.getUTCMonth() + 1) && dayOk) return d;
  }
  throw new Error(`${schedule} names no time in the year before ${now.toISOString()}`);
}

export function runId(job: string, schedule: string, headers?: Headers): string {
  const told = headers?.get("x-cronctl-run-id");
  if (told) return told;
  return `${job}@${slot(schedule).toISOString().replace(".000Z", "Z")}`;
}

async function ping(job: string, what: string, rid: string, body?: string): Promise<void> {
  const base = process.env.CRONCTL_PING_URL;
  if (!base) return;
  const url = `${base.replace(/\/$/, "")}/${encodeURIComponent(job)}${what ? `/${what}` : ""}` +
    `?rid=${encodeURIComponent(rid)}`;
  try {
    await fetch(url, { method: "POST", body: body?.slice(0, 10_000),
                       signal: AbortSignal.timeout(5_000) });
  } catch {
    // the runner unreachable: the route's own work matters more
  }
}

export function withCheckin(
  job: string, schedule: string,
  handler: (req: Request, runId: string) => Promise<Response>,
): (req: Request) => Promise<Response> {
  return async (req: Request) => {
    const rid = runId(job, schedule, req.headers);
    await ping(job, "start", rid);
    try {
      const res = await handler(req, rid);
      await ping(job, res.ok ? "" : "fail", rid, res.ok ? undefined : `HTTP ${res.status}`);
      return res;
    } catch (err) {
      await ping(job, "fail", rid, String(err));
      throw err;
    }
  };
}
