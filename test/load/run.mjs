#!/usr/bin/env node
/**
 * `npm run load -- <scenario> [--target URL]`: runs one docs/architecture.md §11 scenario with artillery against
 * a running stockhold. Seeds its own variant through the admin API, signs one token per virtual
 * shopper (bots reuse theirs), runs artillery, verifies through /v1/admin/reconcile and the
 * inventory, and ends with one result line. Exits non-zero when anything was oversold, reconcile
 * failed, or the scenario did not show what it must.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_ACTIVE_RESERVATIONS, SCENARIOS } from './lib/catalog.mjs';
import { AdminClient, isLoopback, ShopperClient } from './lib/client.mjs';
import { cartCsv, cartRows, verifyCartRush } from './lib/cart-rush.mjs';
import { botUnitsOn, formatResultLine, summarizeReport, verifyRun } from './lib/results.mjs';
import { payloadRows, signingKey, tokenSigner, toCsv } from './lib/tokens.mjs';
import { verifyWaitlistFairness, waitlistCsv, waitlistRows } from './lib/waitlist-fairness.mjs';

const LOAD_DIR = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = join(LOAD_DIR, '..', '..');
const ARTILLERY_VERSION = '2.0.34';
const DEFAULT_TARGET = 'http://127.0.0.1:3000';

const USAGE = `Usage: npm run load -- <scenario> [--target URL] [--private-key FILE] [--bot-attempts N]
                     [--keep] [--verbose]

Scenarios:
${Object.entries(SCENARIOS)
  .map(([name, scenario]) => `  ${name.padEnd(16)} ${scenario.description}`)
  .join('\n')}

  --target URL        the running service (default ${DEFAULT_TARGET}; loopback only unless
                      --allow-remote is given)
  --bot-attempts N    attempts per bot in bot-hoarding (default 20; must exceed
                      RESERVE_RATE_LIMIT, 10 by default, for the limit to show)
  --max-active N      the service's MAX_ACTIVE_RESERVATIONS, for the bot cap check (default 5)
  --private-key FILE  sign RS256 with this PEM key (for a service with JWT_PUBLIC_KEY)
  --keep              keep the working folder (tokens, artillery report and log)
  --verbose           show artillery's own output while it runs
Tokens are signed with --private-key (RS256), else JWT_SECRET, else the development secret (as
the service).
`;

function fail(message, code = 2) {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function parseOptions() {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        target: { type: 'string', default: DEFAULT_TARGET },
        'allow-remote': { type: 'boolean', default: false },
        'bot-attempts': { type: 'string' },
        'max-active': { type: 'string' },
        'private-key': { type: 'string' },
        keep: { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    fail(`${error.message}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const name = positionals[0];
  if (!name || !SCENARIOS[name])
    fail(`${name ? `Unknown scenario ${name}` : 'Name a scenario'}\n\n${USAGE}`);
  const target = values.target.replace(/\/+$/, '');
  let url;
  try {
    url = new URL(target);
  } catch {
    fail(`--target ${target} is not a URL`);
  }
  // Load belongs on this machine: refuse anything but loopback unless explicitly asked.
  if (!isLoopback(url.hostname) && !values['allow-remote']) {
    fail(`--target ${target} is not a loopback address; pass --allow-remote if you mean it`);
  }
  const positive = (raw, option, fallback) => {
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) fail(`--${option} must be a positive integer`);
    return value;
  };
  const scenario = { ...SCENARIOS[name] };
  if (scenario.bots)
    scenario.botAttempts = positive(values['bot-attempts'], 'bot-attempts', scenario.botAttempts);
  return {
    name,
    scenario,
    target,
    maxActive: positive(values['max-active'], 'max-active', DEFAULT_MAX_ACTIVE_RESERVATIONS),
    privateKey: values['private-key'],
    keep: values.keep,
    verbose: values.verbose,
  };
}

/** Installs test/load's own dependencies (artillery) on first use; never part of the root install. */
function ensureArtillery() {
  const manifest = join(LOAD_DIR, 'node_modules', 'artillery', 'package.json');
  if (
    existsSync(manifest) &&
    JSON.parse(readFileSync(manifest, 'utf8')).version === ARTILLERY_VERSION
  ) {
    return;
  }
  process.stderr.write(`Installing artillery ${ARTILLERY_VERSION} into test/load (once)…\n`);
  const result = spawnSync('npm', ['ci', '--prefix', LOAD_DIR, '--no-audit', '--no-fund'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    // Artillery's playwright engine would otherwise download a browser it never needs here.
    env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
  });
  if (result.status !== 0) fail('npm ci --prefix test/load failed', 1);
}

function runArtillery({ scenarioFile, reportFile, logFile, env, verbose }) {
  const bin = join(LOAD_DIR, 'node_modules', 'artillery', 'bin', 'run');
  return new Promise((resolve, reject) => {
    const args = [bin, 'run', '--output', reportFile, scenarioFile];
    const child = spawn(process.execPath, args, {
      cwd: LOAD_DIR,
      // No telemetry: artillery 2.0.34 sends nothing when this variable is set (its
      // dist/lib/telemetry.js returns before building a request); nothing else in `artillery run`
      // without --record contacts another host.
      env: { ...process.env, ...env, ARTILLERY_DISABLE_TELEMETRY: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = [];
    const keep = (chunk) => {
      log.push(chunk);
      if (verbose) process.stderr.write(chunk);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => {
      writeFileSync(logFile, Buffer.concat(log));
      resolve(code);
    });
  });
}

async function seed({ name, scenario }, admin, tag, shopperToken) {
  const saleVariantId = await admin.createVariant(`load-${name}-${tag}`, scenario.stock);
  const sideVariantIds = [];
  for (let i = 0; i < (scenario.sideVariants ?? 0); i++) {
    sideVariantIds.push(
      await admin.createVariant(`load-${name}-${tag}-side-${i}`, scenario.sideStock),
    );
  }
  if (scenario.sellOutFirst) {
    // Sold through the API, one unit per early shopper, so the service has seen the variant
    // go to zero (and its sold-out gate is armed) exactly as after a real sale.
    for (let i = 0; i < scenario.stock; i++) {
      const early = new ShopperClient(admin.baseUrl, shopperToken(`early-${i}`));
      await early.reserve(saleVariantId, 1);
    }
  }
  return { saleVariantId, sideVariantIds };
}

async function main() {
  const options = parseOptions();
  const { name, scenario, target } = options;
  ensureArtillery();

  const admin = new AdminClient(target, '');
  await admin
    .health()
    .catch((error) =>
      fail(`No stockhold answering at ${target} (${error.message}). Start it first: npm start`, 1),
    );
  let key;
  try {
    key = signingKey(process.env, REPO_ROOT, options.privateKey);
  } catch (error) {
    fail(error.message);
  }
  const sign = tokenSigner(key);
  const tag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  admin.token = sign(`load-admin-${tag}`, { admin: true });
  // Shopper ids are unique per run: a shopper from an earlier run still holds its units.
  const shopperToken = (id) => sign(`load-${tag}-${id}`);

  if (scenario.carts) return runCartRush(options, admin, tag, shopperToken);
  if (scenario.waitlist) return runWaitlistFairness(options, admin, tag, shopperToken);

  const { saleVariantId, sideVariantIds } = await seed(options, admin, tag, shopperToken);
  const before = await admin.inventory(saleVariantId);
  const stockAtStart = before.availableStock;

  const workDir = mkdtempSync(join(tmpdir(), `stockhold-load-${name}-`));
  const rows = payloadRows(scenario, shopperToken);
  const payloadFile = join(workDir, 'shoppers.csv');
  writeFileSync(payloadFile, toCsv(rows, Boolean(scenario.bots)));
  const reportFile = join(workDir, 'report.json');
  const logFile = join(workDir, 'artillery.log');

  process.stderr.write(
    `${name}: ${scenario.description}; variant ${saleVariantId} with ${stockAtStart} units at ${target}\n`,
  );
  const exitCode = await runArtillery({
    scenarioFile: join(LOAD_DIR, 'scenarios', `${name}.yml`),
    reportFile,
    logFile,
    verbose: options.verbose,
    env: {
      STOCKHOLD_TARGET: target,
      // Artillery resolves payload paths against the scenario file's folder, even absolute ones.
      STOCKHOLD_SHOPPERS_CSV: relative(join(LOAD_DIR, 'scenarios'), payloadFile),
      STOCKHOLD_VARIANT_ID: saleVariantId,
      STOCKHOLD_SIDE_VARIANT_IDS: sideVariantIds.join(','),
      STOCKHOLD_BOT_ATTEMPTS: String(scenario.botAttempts ?? 1),
    },
  });
  if (exitCode !== 0 || !existsSync(reportFile)) {
    const tail = readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
    fail(`artillery exited with ${exitCode}; its log (${logFile}) ends:\n${tail}`, 1);
  }

  const summary = summarizeReport(JSON.parse(readFileSync(reportFile, 'utf8')));
  const after = await admin.inventory(saleVariantId);
  const reconcile = await admin.reconcile();
  let botHolds;
  if (scenario.bots) {
    const bots = rows.filter((row) => row.role === 'bot');
    botHolds = {
      maxActiveReservations: options.maxActive,
      bots: await Promise.all(
        bots.map(async (bot) => ({
          id: bot.id,
          holds: await new ShopperClient(target, bot.token).activeReservations(),
        })),
      ),
    };
  }
  const verdict = verifyRun({
    scenario,
    stockAtStart,
    tokens: rows.length,
    before,
    after,
    reconcile,
    summary,
    botHolds,
  });

  const statuses = Object.entries(summary.codes)
    .map(([code, value]) => `${code} × ${value}`)
    .join(', ');
  const lines = [
    `requests ${summary.requests}, answered ${summary.responses} (${statuses || 'none'}), unanswered ${summary.errors}`,
    `inventory after: total ${after.totalStock}, reserved ${after.reservedStock}, available ${after.availableStock}; reconcile ${reconcile.ok ? 'ok' : 'FAILED'}`,
  ];
  if (botHolds) {
    const botUnits = botUnitsOn(botHolds, saleVariantId);
    const most = Math.max(0, ...botHolds.bots.map((bot) => bot.holds.length));
    lines.push(
      `bots: ${JSON.stringify(summary.byRole.bot ?? {})}, most active holds by one bot ${most} (cap ${options.maxActive}), ${botUnits} sale units`,
      `shoppers: ${JSON.stringify(summary.byRole.shopper ?? {})}, ${verdict.reserved - botUnits} sale units`,
    );
  }
  for (const problem of verdict.problems) lines.push(`PROBLEM: ${problem}`);
  if (options.keep || !verdict.ok) lines.push(`working folder: ${workDir}`);
  else rmSync(workDir, { recursive: true, force: true });
  process.stdout.write(`${lines.join('\n')}\n`);
  process.stdout.write(
    `${formatResultLine(name, {
      reserved: verdict.reserved,
      stock: stockAtStart,
      oversold: verdict.oversold,
      codes: summary.codes,
      latency: summary.latency,
    })}\n`,
  );
  process.exit(verdict.ok ? 0 : 1);
}

/**
 * cart-rush: seeds its variants (some with a purchase limit), runs two carts per shopper, then
 * checks every variant, every shopper's holds (I3, I6) and reconcile (lib/cart-rush.mjs).
 */
async function runCartRush(
  { name, scenario, target, maxActive, keep, verbose },
  admin,
  tag,
  shopperToken,
) {
  const variants = [];
  for (const [i, spec] of scenario.carts.entries()) {
    const extra = spec.purchaseLimit == null ? {} : { purchaseLimit: spec.purchaseLimit };
    const id = await admin.createVariant(`load-${name}-${tag}-${i}`, spec.stock, extra);
    const before = await admin.inventory(id);
    variants.push({
      id,
      purchaseLimit: spec.purchaseLimit,
      stockAtStart: before.availableStock,
      before,
    });
  }
  const workDir = mkdtempSync(join(tmpdir(), `stockhold-load-${name}-`));
  const rows = cartRows(scenario.shoppers, variants.length, shopperToken);
  const payloadFile = join(workDir, 'shoppers.csv');
  writeFileSync(payloadFile, cartCsv(rows));
  const reportFile = join(workDir, 'report.json');
  const logFile = join(workDir, 'artillery.log');
  process.stderr.write(`${name}: ${scenario.description} at ${target}\n`);
  const exitCode = await runArtillery({
    scenarioFile: join(LOAD_DIR, 'scenarios', `${name}.yml`),
    reportFile,
    logFile,
    verbose,
    env: {
      STOCKHOLD_TARGET: target,
      STOCKHOLD_SHOPPERS_CSV: relative(join(LOAD_DIR, 'scenarios'), payloadFile),
      STOCKHOLD_SIDE_VARIANT_IDS: variants.map((variant) => variant.id).join(','),
    },
  });
  if (exitCode !== 0 || !existsSync(reportFile)) {
    const tail = readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
    fail(`artillery exited with ${exitCode}; its log (${logFile}) ends:\n${tail}`, 1);
  }
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  const summary = { ...summarizeReport(report), counters: report?.aggregate?.counters ?? {} };
  for (const variant of variants) variant.after = await admin.inventory(variant.id);
  const reconcile = await admin.reconcile();
  const shopperHolds = await Promise.all(
    rows.map(async (row) => ({
      id: row.id,
      reservations: await new ShopperClient(target, row.token).reservations(),
    })),
  );
  const verdict = verifyCartRush({ variants, reconcile, summary, shopperHolds, maxActive });
  const outcomes = Object.entries(summary.counters)
    .filter(([counter]) => counter.startsWith('stockhold.cart.'))
    .map(([counter, value]) => `${counter.slice('stockhold.cart.'.length)} × ${value}`)
    .join(', ');
  const lines = [
    `requests ${summary.requests}, answered ${summary.responses} (${JSON.stringify(summary.codes)}), unanswered ${summary.errors}`,
    `carts: ${outcomes || 'none'}`,
    `units: ${verdict.sold} sold, ${verdict.held} held of ${verdict.stock}; reconcile ${reconcile.ok ? 'ok' : 'FAILED'}`,
    ...verdict.problems.map((problem) => `PROBLEM: ${problem}`),
  ];
  if (keep || !verdict.ok) lines.push(`working folder: ${workDir}`);
  else rmSync(workDir, { recursive: true, force: true });
  process.stdout.write(`${lines.join('\n')}\n`);
  process.stdout.write(
    `${formatResultLine(name, {
      reserved: verdict.sold + verdict.held,
      stock: verdict.stock,
      oversold: verdict.oversold,
      codes: summary.codes,
      latency: summary.latency,
    })}\n`,
  );
  process.exit(verdict.ok ? 0 : 1);
}

/**
 * waitlist-fairness: one variant, shoppers who hold, wait in line or refresh; then every waiter's
 * entry, the variant's ledger and reconcile decide whether freed units went to the line in order
 * (lib/waitlist-fairness.mjs).
 */
async function runWaitlistFairness(
  { name, scenario, target, keep, verbose },
  admin,
  tag,
  shopperToken,
) {
  const variantId = await admin.createVariant(`load-${name}-${tag}`, scenario.stock);
  const workDir = mkdtempSync(join(tmpdir(), `stockhold-load-${name}-`));
  const rows = waitlistRows(scenario.shoppers, shopperToken);
  const payloadFile = join(workDir, 'shoppers.csv');
  writeFileSync(payloadFile, waitlistCsv(rows));
  const reportFile = join(workDir, 'report.json');
  const logFile = join(workDir, 'artillery.log');
  process.stderr.write(`${name}: ${scenario.description}; variant ${variantId} at ${target}\n`);
  const exitCode = await runArtillery({
    scenarioFile: join(LOAD_DIR, 'scenarios', `${name}.yml`),
    reportFile,
    logFile,
    verbose,
    env: {
      STOCKHOLD_TARGET: target,
      STOCKHOLD_SHOPPERS_CSV: relative(join(LOAD_DIR, 'scenarios'), payloadFile),
      STOCKHOLD_VARIANT_ID: variantId,
    },
  });
  if (exitCode !== 0 || !existsSync(reportFile)) {
    const tail = readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
    fail(`artillery exited with ${exitCode}; its log (${logFile}) ends:\n${tail}`, 1);
  }
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  const summary = { ...summarizeReport(report), counters: report?.aggregate?.counters ?? {} };
  const after = await admin.inventory(variantId);
  const reconcile = await admin.reconcile();
  const movements = await admin.movements(variantId);
  const waiters = rows.filter((row) => row.role === 'waiter');
  const entries = [];
  // A few at a time: 1,800 reads must not become a load test of their own.
  for (let i = 0; i < waiters.length; i += 20) {
    const batch = waiters.slice(i, i + 20);
    entries.push(
      ...(await Promise.all(
        batch.map((row) => new ShopperClient(target, row.token).waitlistEntry(variantId)),
      )),
    );
  }
  const verdict = verifyWaitlistFairness({
    stock: scenario.stock,
    counters: summary.counters,
    entries,
    movements,
    after,
    reconcile,
  });
  const steps = Object.entries(summary.counters)
    .filter(([counter]) => counter.startsWith('stockhold.'))
    .map(([counter, value]) => `${counter.slice('stockhold.'.length)} × ${value}`)
    .join(', ');
  const lines = [
    `requests ${summary.requests}, answered ${summary.responses} (${JSON.stringify(summary.codes)}), unanswered ${summary.errors}`,
    `steps: ${steps || 'none'}`,
    `units freed ${verdict.freed}, offers ${verdict.offers}, still waiting ${verdict.waiting}; available ${after.availableStock}; reconcile ${reconcile.ok ? 'ok' : 'FAILED'}`,
    ...verdict.problems.map((problem) => `PROBLEM: ${problem}`),
  ];
  if (keep || !verdict.ok) lines.push(`working folder: ${workDir}`);
  else rmSync(workDir, { recursive: true, force: true });
  process.stdout.write(`${lines.join('\n')}\n`);
  process.stdout.write(
    `${formatResultLine(name, {
      reserved: verdict.reserved,
      stock: scenario.stock,
      oversold: verdict.oversold,
      codes: summary.codes,
      latency: summary.latency,
    })}, freed ${verdict.freed} → offers in join order ${verdict.ok ? verdict.offers : 'NO'}, to refreshers ${summary.counters['stockhold.refresh.201'] ?? 0}\n`,
  );
  process.exit(verdict.ok ? 0 : 1);
}

main().catch((error) => fail(`load run failed: ${error?.stack ?? error}`, 1));
