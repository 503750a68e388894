// One run, side by side: interstage-cli vs ONNX Runtime on the same models,
// same threads, same input. Prints first-run and steady (median of runs
// 2..N) times and the ratio ours / ORT.
//   node bench/compare.mjs [--threads 2] [--runs 5] [--only NAME]
// Needs: scripts/setup.sh done, and `npm install --ignore-scripts` in bench/.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'build/bin/interstage-cli');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const threads = Number(opt('--threads', 2));
const runs = Number(opt('--runs', 5));
const only = opt('--only', null);

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
  const r = spawnSync(command, [...commandArgs, '--json', json], { encoding: 'utf8' });
  if (r.status !== 0) return { error: (r.stderr || r.stdout || '').trim().split('\n').pop() };
  const doc = JSON.parse(fs.readFileSync(json, 'utf8'));
  fs.unlinkSync(json);
  const ms = doc.runs.map((x) => x.ms);
  const steady = ms.slice(1).sort((a, b) => a - b);
  return { first: ms[0], steady: steady.length ? steady[Math.floor((steady.length - 1) / 2)] : ms[0] };
}

const fmt = (x) => (x === undefined ? '-' : x.toFixed(1).padStart(8));
console.log(`threads ${threads}, runs ${runs}, steady = median of runs 2..${runs}`);
console.log('model            ours first  ours steady   ORT first   ORT steady   ratio');
for (const m of models) {
  if (only && m.name !== only) continue;
  const file = m.file();
  if (!fs.existsSync(file)) {
    console.log(`${m.name.padEnd(16)} missing ${file}`);
    continue;
  }
  const inputs = [m.input].flat().flatMap((spec) => ['--input', spec]);
  const common = ['--threads', String(threads), '--runs', String(runs), ...inputs];
  const ours = timings(cli, ['run', file, ...common]);
  const ort = timings('node', [path.join(root, 'bench/ort_run.mjs'), file, ...common]);
  if (ours.error || ort.error) {
    console.log(`${m.name.padEnd(16)} ours: ${ours.error || 'ok'} | ORT: ${ort.error || 'ok'}`);
    continue;
  }
  console.log(`${m.name.padEnd(16)} ${fmt(ours.first)}    ${fmt(ours.steady)}    ${fmt(ort.first)}    ${fmt(ort.steady)}    ${(ours.steady / ort.steady).toFixed(2)}`);
}
