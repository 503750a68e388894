// The heavy contrib ops one at a time: interstage-cli vs ONNX Runtime on
// the same single-op model, same threads, same deterministic input.
// Prints steady times (median of runs 2..N), best times (fastest run
// 2..N, steadier than the median on a busy machine) and the ratios
// ours / ORT.
//   node bench/contrib_ops.mjs [--threads 2] [--runs 20] [--only NAME] [--passive]
// --passive runs interstage-cli with OMP_WAIT_POLICY=passive: on a machine
// with more busy threads than cores, OpenMP workers that spin between
// parallel regions take the cores the other worker needs, and our times
// vary by 10x from run to run (ONNX Runtime's own pool is not affected).
// Needs: a built build/bin/interstage-cli, and `npm install --ignore-scripts` in bench/.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { modelBytes } from './onnx_writer.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'build/bin/interstage-cli');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const threads = Number(opt('--threads', 2));
const runs = Number(opt('--runs', 20));
const only = opt('--only', null);
const passive = args.includes('--passive');

// Deterministic weights in [-scale, scale].
function weights(count, seed, scale) {
  const out = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; ++i) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s / 2 ** 32) * 2 - 1) * scale;
  }
  return out;
}
function nibbles(count, seed) {
  const out = new Uint8Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; ++i) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}
const ms = { 'com.microsoft': 1 };

const cases = [
  {
    name: 'matmulnbits-1x4096x4096-b32',
    input: ['A=1x1x4096'],
    model: () => ({
      domains: ms,
      inputs: [['A', 'float', [1, 1, 4096]]],
      outputs: [['Y', 'float', [1, 1, 4096]]],
      initializers: [
        ['B', 'uint8', [4096, 128, 16], nibbles(4096 * 128 * 16, 1)],
        ['scales', 'float', [4096 * 128], weights(4096 * 128, 2, 0.02)],
      ],
      nodes: [{ op: 'MatMulNBits', domain: 'com.microsoft', inputs: ['A', 'B', 'scales'], outputs: ['Y'], attrs: { K: 4096, N: 4096, bits: 4, block_size: 32 } }],
    }),
  },
  {
    name: 'matmulnbits-128x4096x4096-b32',
    input: ['A=1x128x4096'],
    model: () => ({
      domains: ms,
      inputs: [['A', 'float', [1, 128, 4096]]],
      outputs: [['Y', 'float', [1, 128, 4096]]],
      initializers: [
        ['B', 'uint8', [4096, 128, 16], nibbles(4096 * 128 * 16, 1)],
        ['scales', 'float', [4096 * 128], weights(4096 * 128, 2, 0.02)],
      ],
      nodes: [{ op: 'MatMulNBits', domain: 'com.microsoft', inputs: ['A', 'B', 'scales'], outputs: ['Y'], attrs: { K: 4096, N: 4096, bits: 4, block_size: 32 } }],
    }),
  },
  {
    name: 'attention-b1-s128-h768-12heads',
    input: ['x=1x128x768'],
    model: () => ({
      domains: ms,
      inputs: [['x', 'float', [1, 128, 768]]],
      outputs: [['y', 'float', [1, 128, 768]]],
      initializers: [
        ['w', 'float', [768, 2304], weights(768 * 2304, 3, 0.05)],
        ['bias', 'float', [2304], weights(2304, 4, 0.1)],
      ],
      nodes: [{ op: 'Attention', domain: 'com.microsoft', inputs: ['x', 'w', 'bias'], outputs: ['y'], attrs: { num_heads: 12 } }],
    }),
  },
  {
    // One decoding step of a Llama-like layer: 32 query heads over 8 kv
    // heads of 128, after 1023 cached tokens.
    name: 'gqa-decode-32q8kv-past1023',
    input: ['q=1x1x4096', 'k=1x1x1024', 'v=1x1x1024', 'past_k=1x8x1023x128', 'past_v=1x8x1023x128'],
    model: () => ({
      domains: ms,
      inputs: [
        ['q', 'float', [1, 1, 4096]],
        ['k', 'float', [1, 1, 1024]],
        ['v', 'float', [1, 1, 1024]],
        ['past_k', 'float', [1, 8, 1023, 128]],
        ['past_v', 'float', [1, 8, 1023, 128]],
      ],
      outputs: [['y', 'float', [1, 1, 4096]], ['present_k', 'float', [1, 8, 1024, 128]], ['present_v', 'float', [1, 8, 1024, 128]]],
      initializers: [
        ['seqlens_k', 'int32', [1], new Int32Array([1023])],
        ['total', 'int32', [], new Int32Array([1024])],
      ],
      nodes: [{ op: 'GroupQueryAttention', domain: 'com.microsoft', inputs: ['q', 'k', 'v', 'past_k', 'past_v', 'seqlens_k', 'total'], outputs: ['y', 'present_k', 'present_v'], attrs: { num_heads: 32, kv_num_heads: 8 } }],
    }),
  },
];

function timings(command, commandArgs, env = process.env) {
  const json = path.join(os.tmpdir(), `interstage-contrib-bench-${process.pid}.json`);
  const r = spawnSync(command, [...commandArgs, '--json', json], { encoding: 'utf8', env });
  if (r.status !== 0) return { error: (r.stderr || r.stdout || '').trim().split('\n').pop() };
  const doc = JSON.parse(fs.readFileSync(json, 'utf8'));
  fs.unlinkSync(json);
  const steady = doc.runs.map((x) => x.ms).slice(1).sort((a, b) => a - b);
  return { steady: steady[Math.floor((steady.length - 1) / 2)], best: steady[0] };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'interstage-contrib-'));
console.log(`threads ${threads}, runs ${runs}, median / best of runs 2..${runs} (ms)${passive ? ', ours with OMP_WAIT_POLICY=passive' : ''}`);
console.log('case                             ours median  ORT median  ratio   ours best  ORT best  ratio');
for (const c of cases) {
  if (only && c.name !== only) continue;
  const file = path.join(dir, `${c.name}.onnx`);
  fs.writeFileSync(file, modelBytes(c.model()));
  const common = ['--threads', String(threads), '--runs', String(runs), ...c.input.flatMap((i) => ['--input', i])];
  const ours = timings(cli, ['run', file, ...common], passive ? { ...process.env, OMP_WAIT_POLICY: 'passive' } : process.env);
  const ort = timings('node', [path.join(root, 'bench/ort_run.mjs'), file, ...common]);
  if (ours.error || ort.error) {
    console.log(`${c.name.padEnd(32)} ours: ${ours.error || 'ok'} | ORT: ${ort.error || 'ok'}`);
    continue;
  }
  const f = (x) => x.toFixed(2).padStart(10);
  console.log(`${c.name.padEnd(32)} ${f(ours.steady)}  ${f(ort.steady)}  ${(ours.steady / ort.steady).toFixed(2).padStart(5)}  ${f(ours.best)} ${f(ort.best)}  ${(ours.best / ort.best).toFixed(2).padStart(5)}`);
}
fs.rmSync(dir, { recursive: true });
