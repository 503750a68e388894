// One run, side by side: interstage-cli vs ONNX Runtime on the same models,
// same threads, same input. Prints first-run and steady (median of runs
// 2..N) times and the ratio ours / ORT; the time to the first result (load
// + first run, each engine in fresh processes, best of --fresh); and our
// reduce / default steady ratio.
//   node bench/compare.mjs [--threads 2] [--runs 5] [--only NAME] [--fresh 3]
//                          [--rounds 2] [--first-only | --reduce-only]
// Steady times: --rounds processes per engine, in the order ours, ORT, then
// ORT, ours, and so on (this machine's speed drifts by 10-30% over
// minutes, so neither engine always goes first into a slow spell); each
// engine's steady is the median of its runs 2..N of every round together.
// Needs: scripts/setup.sh done, and `npm install --ignore-scripts` in bench/.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// INTERSTAGE_CLI: another build's CLI (A/B against an older binary).
const cli = process.env.INTERSTAGE_CLI || path.join(root, 'build/bin/interstage-cli');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const threads = Number(opt('--threads', 2));
const runs = Number(opt('--runs', 5));
const only = opt('--only', null);
const fresh = Number(opt('--fresh', 3));
const rounds = Math.max(1, Number(opt('--rounds', 2)));
const firstOnly = args.includes('--first-only');
const reduceOnly = args.includes('--reduce-only');

const zoo = (name) => {
  const file = path.join(root, 'models', `${name}.onnx`);
  if (!fs.existsSync(file)) spawnSync(cli, ['zoo', name, '-o', file], { stdio: 'inherit' });
  return file;
};
const ocr = (file) => path.join(root, 'models/ocr', file);
const models = [
  { name: 'u2netp', file: () => zoo('u2netp'), input: 'input=1x3x320x320' },
  { name: 'ppocr-det-640', file: () => ocr('ch_PP-OCRv4_det_infer.onnx'), input: 'x=1x3x640x640' },
  { name: 'ppocr-rec', file: () => ocr('ch_PP-OCRv4_rec_infer.onnx'), input: 'x=1x3x48x320' },
  { name: 'ppocr-cls', file: () => ocr('ch_ppocr_mobile_v2.0_cls_infer.onnx'), input: 'x=1x3x48x192' },
  { name: 'resnet', file: () => zoo('resnet'), input: 'input=1x3x224x224' },
  { name: 'mobilenetv2', file: () => zoo('mobilenetv2'), input: 'input=1x3x224x224' },
  { name: 'inception', file: () => zoo('inception'), input: 'input=1x3x224x224' },
  { name: 'densenet121', file: () => zoo('densenet121'), input: 'input=1x3x224x224' },
  { name: 'transformer', file: () => zoo('transformer'), input: ['embeddings=1x128x256', 'attention_bias=1x1x1x128'] },
  { name: 'vit', file: () => zoo('vit'), input: 'pixel_values=1x3x224x224' },
  { name: 'blazeface', file: () => zoo('blazeface'), input: 'input=1x3x256x256' },
];

function timings(command, commandArgs) {
  const json = path.join(os.tmpdir(), `interstage-bench-${process.pid}.json`);
  const start = process.hrtime.bigint();
  const r = spawnSync(command, [...commandArgs, '--json', json], { encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) return { error: (r.stderr || r.stdout || '').trim().split('\n').pop() };
  const doc = JSON.parse(fs.readFileSync(json, 'utf8'));
  fs.unlinkSync(json);
  const ms = doc.runs.map((x) => x.ms);
  const steady = ms.slice(1);
  // Load + first run as the engine times it: ours reads the file and makes
  // the session (load_ms, session_ms), ORT creates its session (create_ms).
  const setup = (doc.load_ms ?? 0) + (doc.session_ms ?? 0) + (doc.create_ms ?? 0);
  return { first: ms[0], steadyRuns: steady.length ? steady : [ms[0]], firstResult: setup + ms[0], wall };
}

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
};

// `rounds` processes of each engine, alternating which goes first; the
// first round's first run, and the median of every round's steady runs.
function steadyRounds(oursArgs, ortArgs) {
  const ours = [], ort = [];
  for (let r = 0; r < rounds; ++r) {
    const pair = r % 2 === 0 ? [[ours, oursArgs], [ort, ortArgs]] : [[ort, ortArgs], [ours, oursArgs]];
    for (const [list, [command, commandArgs]] of pair) {
      const t = timings(command, commandArgs);
      if (t.error) return [t, t];
      list.push(t);
    }
  }
  const pooled = (list) => ({ first: list[0].first, steady: median(list.flatMap((t) => t.steadyRuns)) });
  return [pooled(ours), pooled(ort)];
}

// The time to the first result, best of `fresh` new processes: inside the
// engine (load + first run) and the whole process (ours: the CLI from exec
// to exit; ORT: Node.js starting, importing onnxruntime-node, creating the
// session, one run).
function firstResult(command, commandArgs) {
  let best = { firstResult: Infinity, wall: Infinity };
  for (let i = 0; i < fresh; ++i) {
    const t = timings(command, commandArgs);
    if (t.error) return t;
    best = { firstResult: Math.min(best.firstResult, t.firstResult), wall: Math.min(best.wall, t.wall) };
  }
  return best;
}

const fmt = (x) => (x === undefined ? '-' : x.toFixed(1).padStart(8));
const ratio = (a, b) => (a / b).toFixed(2).padStart(6);
const steadyColumns = !firstOnly && !reduceOnly;
const firstColumns = !reduceOnly;
const reduceColumns = !firstOnly;
console.log(
  `threads ${threads}, runs ${runs}, steady = median of runs 2..${runs} of ${rounds} processes per engine` +
    ` (alternating which goes first); first result = best of ${fresh} fresh processes`,
);
let header = 'model           ';
if (steadyColumns) header += ' ours first  ours steady   ORT first   ORT steady   ratio';
if (firstColumns) header += ' | 1st result ours   ORT  ratio | whole process ours   ORT  ratio';
if (reduceColumns) header += ' | reduce steady  reduce/default';
console.log(header);
for (const m of models) {
  if (only && m.name !== only) continue;
  const file = m.file();
  if (!fs.existsSync(file)) {
    console.log(`${m.name.padEnd(16)} missing ${file}`);
    continue;
  }
  const inputs = [m.input].flat().flatMap((spec) => ['--input', spec]);
  const common = ['--threads', String(threads), '--runs', String(runs), ...inputs];
  const once = ['--threads', String(threads), '--runs', '1', ...inputs];
  const ortScript = path.join(root, 'bench/ort_run.mjs');
  // Reduce right after default: this machine's speed drifts by 10-30% over
  // minutes, and with the other columns between them the ratio of the two
  // measured that drift as much as reduce mode (U^2-Net-P 1.19 to 1.62 in
  // three tables of one hour, against 1.08-1.17 run next to each other).
  let defaultForReduce = {};
  let reduce = {};
  if (reduceColumns) {
    const d = timings(cli, ['run', file, ...common]);
    reduce = timings(cli, ['run', file, ...common, '--mode', 'reduce']);
    defaultForReduce = d.error ? d : { steady: median(d.steadyRuns) };
    if (!reduce.error) reduce = { steady: median(reduce.steadyRuns) };
  }
  const [ours, ort] = steadyColumns
    ? steadyRounds([cli, ['run', file, ...common]], ['node', [ortScript, file, ...common]])
    : [{}, {}];
  const oursFirst = firstColumns ? firstResult(cli, ['run', file, ...once]) : {};
  const ortFirst = firstColumns ? firstResult('node', [ortScript, file, ...once]) : {};
  const error = [ours, ort, oursFirst, ortFirst, reduce, defaultForReduce].find((t) => t.error);
  if (error) {
    console.log(`${m.name.padEnd(16)} ${error.error}`);
    continue;
  }
  let line = m.name.padEnd(16);
  if (steadyColumns)
    line += ` ${fmt(ours.first)}    ${fmt(ours.steady)}    ${fmt(ort.first)}    ${fmt(ort.steady)}    ${(ours.steady / ort.steady).toFixed(2)}`;
  if (firstColumns)
    line +=
      ` |      ${fmt(oursFirst.firstResult)} ${fmt(ortFirst.firstResult)} ${ratio(oursFirst.firstResult, ortFirst.firstResult)}` +
      ` |         ${fmt(oursFirst.wall)} ${fmt(ortFirst.wall)} ${ratio(oursFirst.wall, ortFirst.wall)}`;
  if (reduceColumns) line += ` |      ${fmt(reduce.steady)}          ${ratio(reduce.steady, defaultForReduce.steady)}`;
  console.log(line);
}
