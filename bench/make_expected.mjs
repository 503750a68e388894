// Writes the expected outputs the model tests compare against, computed by
// ONNX Runtime on the deterministic input. To keep the repository small,
// each output is stored as 4096 evenly strided samples plus its sum and sum
// of absolute values (tests/data/expected/NAME.json).
//   node bench/make_expected.mjs [NAME ...]   (all cases, or the named ones)
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'build/bin/interstage-cli');
const samples = 4096;

const zoo = (name) => {
  const file = path.join(root, 'models', `${name}.onnx`);
  if (!fs.existsSync(file)) spawnSync(cli, ['zoo', name, '-o', file], { stdio: 'inherit' });
  return file;
};
const cases = [
  { name: 'u2netp', file: zoo('u2netp'), input: ['input', [1, 3, 320, 320]] },
  { name: 'resnet', file: zoo('resnet'), input: ['input', [1, 3, 224, 224]] },
  { name: 'mobilenetv2', file: zoo('mobilenetv2'), input: ['input', [1, 3, 224, 224]] },
  { name: 'inception', file: zoo('inception'), input: ['input', [1, 3, 224, 224]] },
  { name: 'blazeface', file: zoo('blazeface'), input: ['input', [1, 3, 256, 256]] },
  { name: 'ppocr-det', file: path.join(root, 'models/ocr/ch_PP-OCRv4_det_infer.onnx'), input: ['x', [1, 3, 640, 640]], pattern: 'page' },
  { name: 'ppocr-rec', file: path.join(root, 'models/ocr/ch_PP-OCRv4_rec_infer.onnx'), input: ['x', [1, 3, 48, 320]], pattern: 'page' },
  { name: 'ppocr-cls', file: path.join(root, 'models/ocr/ch_ppocr_mobile_v2.0_cls_infer.onnx'), input: ['x', [1, 3, 48, 192]], pattern: 'page' },
  // Several inputs, each on the default pattern: written as "inputs".
  { name: 'transformer', file: zoo('transformer'), inputs: [['embeddings', [1, 128, 256]], ['attention_bias', [1, 1, 1, 128]]] },
  { name: 'vit', file: zoo('vit'), input: ['pixel_values', [1, 3, 224, 224]] },
];
const only = process.argv.slice(2);

// 'default': element i is ((i * 7) % 256) / 255 - 0.5 (interstage's
// defaultInput). 'page': dark glyph-like bars in 40-pixel text lines on a
// light page, so the OCR models see something text-like (on the default
// pattern PP-OCR det outputs all zeros, which would test nothing).
function makeInput(dims, pattern) {
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  if (pattern !== 'page') {
    for (let i = 0; i < n; ++i) data[i] = ((i * 7) % 256) / 255 - 0.5;
    return data;
  }
  const [N, C, H, W] = dims;
  for (let b = 0; b < N * C; ++b)
    for (let y = 0; y < H; ++y)
      for (let x = 0; x < W; ++x) {
        const inLine = y % 40 >= 12 && y % 40 < 28;
        const inGlyph = x % 24 >= 4 && x % 24 < 18 && (x * 7 + y) % 5 !== 0;
        data[(b * H + y) * W + x] = inLine && inGlyph ? -1.8 : 1.9;
      }
  return data;
}

for (const c of cases) {
  if (only.length && !only.includes(c.name)) continue;
  const session = await ort.InferenceSession.create(c.file, { intraOpNumThreads: 2, graphOptimizationLevel: 'all' });
  const feeds = {};
  for (const [inputName, dims] of c.inputs || [c.input])
    feeds[inputName] = new ort.Tensor('float32', makeInput(dims, c.pattern), dims);
  const results = await session.run(feeds);
  const outputs = session.outputNames.map((name) => {
    const t = results[name];
    const count = t.data.length;
    const k = Math.min(samples, count);
    const values = [];
    for (let i = 0; i < k; ++i) values.push(Number(t.data[Math.floor((i * count) / k)].toPrecision(7)));
    let sum = 0, absSum = 0;
    for (const v of t.data) { sum += v; absSum += Math.abs(v); }
    return { name, shape: t.dims, count, sum, abs_sum: absSum, samples: values };
  });
  const described = ([name, shape]) => ({ name, shape, pattern: c.pattern || 'default' });
  const doc = c.inputs
    ? { model: c.name, inputs: c.inputs.map(described), reference: 'onnxruntime-node 1.30.0', outputs }
    : { model: c.name, input: described(c.input), reference: 'onnxruntime-node 1.30.0', outputs };
  fs.writeFileSync(path.join(root, 'tests/data/expected', `${c.name}.json`), JSON.stringify(doc));
  console.log(`${c.name}: ${outputs.map((o) => `${o.name} ${o.shape.join('x')}`).join(', ')}`);
}
