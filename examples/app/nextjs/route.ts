// app/api/cron/[job]/route.ts: the app's side of cronctl in a Next.js app (App Router). One
// route receives every job of schedules.yaml and checks who sent it before doing any work:
//
// - QStash (business jobs) signs each delivery with `Upstash-Signature`; the official
//   `@upstash/qstash` Receiver checks it against QSTASH_CURRENT_SIGNING_KEY and
//   QSTASH_NEXT_SIGNING_KEY (the Upstash console's, or the two `cronctl dev` prints).
// - Vercel Cron (infrastructure jobs) and cronctl's runner send `Authorization: Bearer
//   $CRON_SECRET`; compared in constant time.
//
// Anything else is answered 401 and does nothing. `npm install @upstash/qstash`.
// Checked against a real `cronctl dev` by scripts/app-side-node.py (verified.json beside this).
import { Receiver } from "@upstash/qstash";

export const dynamic = "force-dynamic"; // never cached: every call runs the job

// Who sent the request ("qstash" or "bearer"), or null when it proves nothing.
export async function sender(request: Request, body: string): Promise<string | null> {
  const signature = request.headers.get("upstash-signature");
  if (signature) {
    const receiver = new Receiver({
      currentSigningKey: process.env.QSTASH_CURRENT_SIGNING_KEY ?? "",
      nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY ?? "",
    });
    try {
      return (await receiver.verify({ signature, body })) ? "qstash" : null;
    } catch {
      return null; // a bad or expired signature, or a body that was changed
    }
  }
  const secret = process.env.CRON_SECRET ?? "";
  const given = request.headers.get("authorization") ?? "";
  return secret && same(given, `Bearer ${secret}`) ? "bearer" : null;
}

function same(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

async function handle(request: Request): Promise<Response> {
  const body = await request.text();
  const by = await sender(request, body);
  if (by === null) return new Response("unauthorized", { status: 401 });
  const job = new URL(request.url).pathname.split("/").pop();
  // ... the job's work goes here (answer 2xx only once it is done: QStash retries otherwise)
  return Response.json({ job, ok: true, by });
}

export const GET = handle; // Vercel Cron calls GET
export const POST = handle; // QStash and the runner POST by default
