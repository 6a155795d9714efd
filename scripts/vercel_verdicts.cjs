// Vercel's own cron validators, run over the expressions read from stdin (a JSON list of
// strings); prints one verdict per expression (JSON). Started by scripts/vercel_golden.py,
// which installs the packages from the npm registry and names them in the environment:
//
//   VERCEL_CLI       the `vercel` package folder (npm pack + tar; its full install needs a
//                    dependency version the registry no longer serves, and nothing else of it
//                    is run here)
//   NODE_MODULES     a folder with cron-parser, ajv and @vercel/config installed
//
// The validators, each Vercel's code as published (no logic of ours decides a verdict):
//   crons_add   `vercel crons add --schedule`: validateCronSchedule, the CLI's only check
//               before it writes the cron into vercel.json (dist/commands-bulk.js);
//   json_crons  the vercel.json schema the CLI validates a deploy's config with (cronsSchema,
//               with ajv, the validator the CLI bundles), for {crons: [{path, schedule}]};
//   schedules   Vercel Schedules as `vercel dev` validates them (internals/local-schedules,
//               bundled in the CLI): schedulesSchema, then parseCron (its own checks, then
//               cron-parser in strict mode);
//   config_sdk  @vercel/config's Router.cron (vercel.ts), parseCronExpression (zod);
//   zones       a Vercel Schedules timezone: the schema, then the broker's validateTimezone
//               (a valid IANA name to this node's Intl).
// A verdict is true (accepted) or the validator's message (refused).
"use strict";

const fs = require("fs");
const path = require("path");

const cli = process.env.VERCEL_CLI;
const modules = process.env.NODE_MODULES;
if (!cli || !modules) {
  console.error("set VERCEL_CLI and NODE_MODULES (scripts/vercel_golden.py does)");
  process.exit(2);
}
const need = (name) => require(path.join(modules, name));

function distFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...distFiles(p));
    else if (/\.(c|m)?js$/.test(entry.name)) out.push(p);
  }
  return out;
}

const SOURCES = distFiles(path.join(cli, "dist")).map((f) => fs.readFileSync(f, "utf8"));

// The balanced-brace text that starts at `start` (the functions and object literals read here
// have no unbalanced brace inside a string, template or regular expression; a wrong cut fails
// to compile, and the self-check below catches a wrong function).
function balanced(src, start) {
  let depth = 0;
  for (let i = src.indexOf("{", start); i < src.length; i++) {
    if (src[i] === "{") depth++;
    else if (src[i] === "}" && --depth === 0) return src.slice(start, i + 1);
  }
  throw new Error("unbalanced source");
}

function find(marker) {
  for (const src of SOURCES) {
    const at = src.indexOf(marker);
    if (at >= 0) return balanced(src, at);
  }
  throw new Error(`${marker} not found in the vercel package: update scripts/vercel_verdicts.cjs`);
}

function findVar(name) {
  for (const src of SOURCES) {
    const at = src.indexOf(`var ${name}=`);
    if (at >= 0) return src.slice(at, src.indexOf(";", at) + 1);
  }
  throw new Error(`var ${name} not found in the vercel package`);
}

function findObject(name) {
  for (const src of SOURCES) {
    const at = src.indexOf(`${name}={`);
    if (at >= 0) return balanced(src, at + name.length + 1);
  }
  throw new Error(`${name} not found in the vercel package`);
}

// -- crons add --------------------------------------------------------------------------------
const validateCronSchedule = new Function(
  `${findVar("CRON_FIELD_RANGES")}\n${find("function validateCronSchedule(")}\n` +
    `${find("function validateCronField(")}\nreturn validateCronSchedule;`,
)();

// -- vercel.json (ajv with the CLI's schemas) -------------------------------------------------
const Ajv = need("ajv");
const ajv = new Ajv({ allErrors: false });
const cronsSchema = new Function(`return ${findObject("cronsSchema")};`)();
const schedulesSchema = new Function(`return ${findObject("schedulesSchema")};`)();
const checkCrons = ajv.compile(cronsSchema);
const checkSchedules = ajv.compile(schedulesSchema);

// -- Vercel Schedules in `vercel dev` ---------------------------------------------------------
class ScheduleBrokerError extends Error {}
const { parseCron } = new Function(
  "import_cron_parser",
  "invalid",
  `${find("function parseCron(")}\nreturn { parseCron };`,
)(need("cron-parser"), (message) => {
  throw new ScheduleBrokerError(message);
});

// -- @vercel/config ---------------------------------------------------------------------------
const { parseCronExpression } = need("@vercel/config/dist/utils/validation.js");

function verdict(fn) {
  try {
    const out = fn();
    return out === true || out === undefined || out === null || typeof out === "object"
      ? true
      : String(out);
  } catch (error) {
    if (error && Array.isArray(error.issues)) {  // zod: which part, and why
      return error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    }
    return error instanceof Error ? error.message.split("\n")[0] : String(error);
  }
}

function schemaVerdict(check, doc) {
  return check(doc) ? true : ajv.errorsText(check.errors);
}

function judge(expr) {
  return {
    expr,
    crons_add: verdict(() => validateCronSchedule(expr)),
    json_crons: schemaVerdict(checkCrons, [{ path: "/api/cron", schedule: expr }]),
    schedules:
      schemaVerdict(checkSchedules, [{ schedule: expr, path: "/api/cron" }]) === true
        ? verdict(() => parseCron(expr, "UTC", Date.UTC(2026, 0, 1)))
        : schemaVerdict(checkSchedules, [{ schedule: expr, path: "/api/cron" }]),
    config_sdk: verdict(() => parseCronExpression(expr)),
  };
}

// Self-check: each validator accepts a daily cron and refuses a name.
for (const [expr, ok] of [["0 5 * * *", true], ["0 5 * * MON", false]]) {
  const v = judge(expr);
  for (const key of ["crons_add", "schedules", "config_sdk"]) {
    if ((v[key] === true) !== ok) throw new Error(`self-check: ${key} on ${expr}: ${v[key]}`);
  }
}

// A Vercel Schedules zone: the schema (1 to 50 characters), then the broker's validateTimezone.
const { validateTimezone } = new Function(
  "invalid",
  `${find("function validateTimezone(")}\nreturn { validateTimezone };`,
)((message) => {
  throw new ScheduleBrokerError(message);
});

function zoneVerdict(timezone) {
  const doc = [{ schedule: "0 0 * * *", path: "/api/cron", timezone }];
  const schema = schemaVerdict(checkSchedules, doc);
  return schema === true ? verdict(() => validateTimezone(timezone)) : schema;
}

// stdin: {"exprs": [...], "zones": [...]}; stdout: {"cases": [...], "zones": {name: verdict}}
const input = JSON.parse(fs.readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify({
  cases: input.exprs.map(judge),
  zones: Object.fromEntries(input.zones.map((z) => [z, zoneVerdict(z)])),
}));
