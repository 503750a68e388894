// The heavy selection / detection ops alone: builds a single-node model for
// each (GridSample 2-D and 3-D, RoiAlign, NonMaxSuppression; TopK and
// Unique too), writes its inputs as TensorProto files, and times
// `interstage-cli run` against ONNX Runtime on the same inputs and thread
// count. Prints steady times (median of runs 2..N), the ratio ours / ORT,
// and how far apart the outputs are (max abs difference).
//   node bench/heavy_ops.mjs [--threads 2] [--runs 10] [--only NAME] [--keep DIR]
// --keep DIR leaves the models and input files there (for profiling).
// Needs: build/bin/interstage-cli, and onnxruntime-node in bench/node_modules.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'build/bin/interstage-cli');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const threads = Number(opt('--threads', 2));
const runs = Number(opt('--runs', 10));
const only = opt('--only', null);
const keep = opt('--keep', null);

// ---- protobuf by hand (onnxruntime-node has no model builder)
function varint(n) {
  const out = [];
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n;  // negative int64 as ten-byte two's complement
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return Buffer.from(out);
}
const key = (field, wire) => varint((field << 3) | wire);
const vint = (field, n) => Buffer.concat([key(field, 0), varint(n)]);
const bytes = (field, b) => Buffer.concat([key(field, 2), varint(b.length), b]);
const str = (field, s) => bytes(field, Buffer.from(s, 'utf8'));
const f32 = (field, x) => {
  const b = Buffer.alloc(4);
  b.writeFloatLE(x);
  return Buffer.concat([key(field, 5), b]);
};

const FLOAT = 1, INT64 = 7;
const attrInt = (name, i) => bytes(5, Buffer.concat([str(1, name), vint(3, i), vint(20, 2)]));
const attrFloat = (name, x) => bytes(5, Buffer.concat([str(1, name), f32(2, x), vint(20, 1)]));
const attrString = (name, s) => bytes(5, Buffer.concat([str(1, name), str(4, s), vint(20, 3)]));
function tensorProto(name, type, dims, data) {
  const raw = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.concat([...dims.map((d) => vint(1, d)), vint(2, type), str(8, name), bytes(9, raw)]);
}
function valueInfo(name, type, dims) {
  const shape = Buffer.concat(dims.map((d) => bytes(1, vint(1, d))));
  return Buffer.concat([str(1, name), bytes(2, bytes(1, Buffer.concat([vint(1, type), bytes(2, shape)])))]);
}
// inputs: [{name, type, dims, data}], constants: same (initializers).
function singleNodeModel(op, inputs, constants, outputs, attrs, opset) {
  const node = Buffer.concat([
    ...[...inputs, ...constants].map((x) => str(1, x.name)),
    ...outputs.map((o) => str(2, o.name)),
    str(3, op),
    str(4, op),
    ...attrs,
  ]);
  const graph = Buffer.concat([
    bytes(1, node),
    str(2, `${op}_bench`),
    ...constants.map((c) => bytes(5, tensorProto(c.name, c.type, c.dims, c.data))),
    ...inputs.map((x) => bytes(11, valueInfo(x.name, x.type, x.dims))),
    ...outputs.map((o) => bytes(12, valueInfo(o.name, o.type, o.dims))),
  ]);
  return Buffer.concat([vint(1, 8), bytes(8, Buffer.concat([str(1, ''), vint(2, opset)])), bytes(7, graph)]);
}

// ---- deterministic data
function random(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}
const floats = (n, f) => Float32Array.from({ length: n }, (_, i) => f(i));

function gridSampleCase() {
  const rnd = random(1);
  const [N, C, H, W] = [1, 32, 256, 256];
  const x = floats(N * C * H * W, (i) => ((i * 7) % 256) / 255 - 0.5);
  // A gently warped identity grid, a little beyond [-1, 1] so padding matters.
  const grid = floats(N * H * W * 2, (i) => {
    const p = i >> 1, u = (p % W) / (W - 1), v = Math.floor(p / W) / (H - 1);
    return (i % 2 === 0 ? u : v) * 2.1 - 1.05 + (rnd() - 0.5) * 0.02;
  });
  return {
    name: 'GridSample',
    op: 'GridSample',
    opset: 16,
    inputs: [
      { name: 'X', type: FLOAT, dims: [N, C, H, W], data: x },
      { name: 'grid', type: FLOAT, dims: [N, H, W, 2], data: grid },
    ],
    constants: [],
    outputs: [{ name: 'Y', type: FLOAT, dims: [N, C, H, W] }],
    attrs: [attrString('mode', 'bilinear'), attrString('padding_mode', 'zeros'), attrInt('align_corners', 0)],
  };
}

// Opset 20's volumetric form: trilinear, border padding, align_corners.
function gridSample3dCase() {
  const rnd = random(4);
  const [N, C, D, H, W] = [1, 8, 32, 64, 64];
  const x = floats(N * C * D * H * W, (i) => ((i * 7) % 256) / 255 - 0.5);
  const grid = floats(N * D * H * W * 3, () => rnd() * 2.2 - 1.1);
  return {
    name: 'GridSample3D',
    op: 'GridSample',
    opset: 20,
    inputs: [
      { name: 'X', type: FLOAT, dims: [N, C, D, H, W], data: x },
      { name: 'grid', type: FLOAT, dims: [N, D, H, W, 3], data: grid },
    ],
    constants: [],
    outputs: [{ name: 'Y', type: FLOAT, dims: [N, C, D, H, W] }],
    attrs: [attrString('mode', 'linear'), attrString('padding_mode', 'border'), attrInt('align_corners', 1)],
  };
}

function roiAlignCase() {
  const rnd = random(2);
  const [N, C, H, W, R] = [1, 256, 64, 64, 300];
  const x = floats(N * C * H * W, (i) => ((i * 7) % 256) / 255 - 0.5);
  // Rois in input-image pixels (spatial_scale 1/16 maps them onto 64x64).
  const rois = new Float32Array(R * 4);
  for (let r = 0; r < R; ++r) {
    const x1 = rnd() * 900, y1 = rnd() * 900, w = 32 + rnd() * 300, h = 32 + rnd() * 300;
    rois.set([x1, y1, Math.min(x1 + w, 1023), Math.min(y1 + h, 1023)], r * 4);
  }
  return {
    name: 'RoiAlign',
    op: 'RoiAlign',
    opset: 16,
    inputs: [
      { name: 'X', type: FLOAT, dims: [N, C, H, W], data: x },
      { name: 'rois', type: FLOAT, dims: [R, 4], data: rois },
      { name: 'batch_indices', type: INT64, dims: [R], data: new BigInt64Array(R) },
    ],
    constants: [],
    outputs: [{ name: 'Y', type: FLOAT, dims: [R, C, 7, 7] }],
    attrs: [attrInt('output_height', 7), attrInt('output_width', 7), attrInt('sampling_ratio', 0), attrFloat('spatial_scale', 1 / 16)],
  };
}

function nmsCase() {
  const rnd = random(3);
  const [B, N, K] = [1, 2000, 80];
  const boxes = new Float32Array(B * N * 4);
  for (let i = 0; i < N; ++i) {
    const y = rnd() * 600, x = rnd() * 600, h = 20 + rnd() * 120, w = 20 + rnd() * 120;
    boxes.set([y, x, y + h, x + w], i * 4);
  }
  const scores = floats(B * K * N, () => rnd());
  return {
    name: 'NonMaxSuppression',
    op: 'NonMaxSuppression',
    opset: 11,
    inputs: [
      { name: 'boxes', type: FLOAT, dims: [B, N, 4], data: boxes },
      { name: 'scores', type: FLOAT, dims: [B, K, N], data: scores },
    ],
    constants: [
      { name: 'max_output_boxes_per_class', type: INT64, dims: [1], data: BigInt64Array.from([100n]) },
      { name: 'iou_threshold', type: FLOAT, dims: [1], data: Float32Array.from([0.5]) },
      { name: 'score_threshold', type: FLOAT, dims: [1], data: Float32Array.from([0.05]) },
    ],
    outputs: [{ name: 'selected_indices', type: INT64, dims: [] }],
    attrs: [],
  };
}

// Not heavy ops, but value-sized or sorting ones worth watching.
function topKCase() {
  const rnd = random(9);
  const [R, L, K] = [64, 20000, 300];
  return {
    name: 'TopK',
    op: 'TopK',
    opset: 11,
    inputs: [{ name: 'X', type: FLOAT, dims: [R, L], data: floats(R * L, () => rnd()) }],
    constants: [{ name: 'K', type: INT64, dims: [1], data: BigInt64Array.from([BigInt(K)]) }],
    outputs: [
      { name: 'V', type: FLOAT, dims: [R, K] },
      { name: 'I', type: INT64, dims: [R, K] },
    ],
    attrs: [],
  };
}

// 1M floats holding 5000 distinct values, sorted (the default).
function uniqueCase() {
  const rnd = random(10);
  const n = 1 << 20;
  return {
    name: 'Unique',
    op: 'Unique',
    opset: 11,
    inputs: [{ name: 'X', type: FLOAT, dims: [n], data: floats(n, () => Math.floor(rnd() * 5000)) }],
    constants: [],
    outputs: [{ name: 'Y', type: FLOAT, dims: [] }],
    attrs: [],
  };
}

// The raw_data (field 9) of a serialized TensorProto, as a typed array.
function readTensorFile(file, type) {
  const b = fs.readFileSync(file);
  let pos = 0;
  const readVarint = () => {
    let v = 0n, shift = 0n;
    for (;;) {
      const byte = b[pos++];
      v |= BigInt(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return v;
      shift += 7n;
    }
  };
  while (pos < b.length) {
    const k = Number(readVarint());
    const wire = k & 7;
    if (wire === 0) readVarint();
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const n = Number(readVarint());
      if (k >> 3 === 9) {
        const raw = b.subarray(pos, pos + n);
        const copy = new Uint8Array(raw).buffer;
        return type === INT64 ? new BigInt64Array(copy) : new Float32Array(copy);
      }
      pos += n;
    } else throw new Error(`unexpected wire type ${wire} in ${file}`);
  }
  return type === INT64 ? new BigInt64Array(0) : new Float32Array(0);
}

function maxDifference(a, b) {
  if (a.length !== b.length) return `sizes differ: ${a.length} vs ${b.length}`;
  let worst = 0;
  for (let i = 0; i < a.length; ++i) worst = Math.max(worst, Math.abs(Number(a[i]) - Number(b[i])));
  return worst.toExponential(1);
}

function timeOurs(model, inputFiles, saveDir) {
  const json = path.join(os.tmpdir(), `interstage-heavy-${process.pid}.json`);
  const cliArgs = ['run', model, '--threads', String(threads), '--runs', String(runs), '--json', json];
  cliArgs.push('--save-outputs', saveDir);
  for (const [name, file] of inputFiles) cliArgs.push('--input-file', `${name}=${file}`);
  const r = spawnSync(cli, cliArgs, { encoding: 'utf8' });
  if (r.status !== 0) return { error: (r.stderr || r.stdout || '').trim().split('\n').pop() };
  const ms = JSON.parse(fs.readFileSync(json, 'utf8')).runs.map((x) => x.ms);
  fs.unlinkSync(json);
  return { ms };
}

async function timeOrt(model, c) {
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const feeds = {};
  for (const x of c.inputs) feeds[x.name] = new ort.Tensor(x.type === FLOAT ? 'float32' : 'int64', x.data, x.dims);
  const ms = [];
  let out;
  for (let r = 0; r < runs; ++r) {
    const start = process.hrtime.bigint();
    out = await session.run(feeds);
    ms.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { ms, out: out[c.outputs[0].name] };
}

const steady = (ms) => {
  const s = ms.slice(1).sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : ms[0];
};
const fmt = (x) => x.toFixed(2).padStart(9);

const dir = keep ? path.resolve(keep) : fs.mkdtempSync(path.join(os.tmpdir(), 'interstage-heavy-'));
fs.mkdirSync(dir, { recursive: true });
console.log(`threads ${threads}, runs ${runs}, steady = median of runs 2..${runs} (ms)`);
console.log('op                      ours       ORT    ratio  output (max |ours - ORT|)');
for (const c of [gridSampleCase(), gridSample3dCase(), roiAlignCase(), nmsCase(), topKCase(), uniqueCase()]) {
  if (only && c.name !== only) continue;
  const model = path.join(dir, `${c.name}.onnx`);
  fs.writeFileSync(model, singleNodeModel(c.op, c.inputs, c.constants, c.outputs, c.attrs, c.opset));
  const inputFiles = c.inputs.map((x) => {
    const file = path.join(dir, `${c.name}_${x.name}.pb`);
    fs.writeFileSync(file, tensorProto(x.name, x.type, x.dims, x.data));
    return [x.name, file];
  });
  const saveDir = path.join(dir, `${c.name}_out`);
  const ours = timeOurs(model, inputFiles, saveDir);
  const theirs = await timeOrt(model, c);
  if (ours.error) {
    console.log(`${c.name.padEnd(20)} ours failed: ${ours.error}`);
    continue;
  }
  const a = steady(ours.ms), b = steady(theirs.ms);
  const out = c.outputs[0];
  const mine = readTensorFile(path.join(saveDir, `${out.name}.pb`), out.type);
  const diff = maxDifference(mine, theirs.out.data);
  console.log(`${c.name.padEnd(20)} ${fmt(a)} ${fmt(b)}   ${(a / b).toFixed(2)}   [${theirs.out.dims}] ${diff}`);
}
if (!keep) fs.rmSync(dir, { recursive: true, force: true });
