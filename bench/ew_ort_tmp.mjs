import fs from 'node:fs';
import ort from 'onnxruntime-node';
const big = [1, 64, 160, 160];
const cases = {
  Relu: { x: big }, Sigmoid: { x: big }, HardSwish: { x: big }, Tanh: { x: big }, Exp: { x: big }, Erf: { x: big }, HardSigmoid: { x: big },
  Add_same: { x: big, y: big }, Add_chan: { x: big, y: [64, 1, 1] }, Add_scalar: { x: big, y: [1] },
  Mul_same: { x: big, y: big }, Mul_chan: { x: big, y: [64, 1, 1] }, Mul_scalar: { x: big, y: [1] },
  Div_same: { x: big, y: big }, Div_chan: { x: big, y: [64, 1, 1] }, Div_scalar: { x: big, y: [1] },
  Add_outer: { x: [1, 64, 160, 1], y: [1, 1, 1, 160] },
  Softmax_last: { x: [1, 80, 6625] }, Softmax_chan: { x: big },
  ReduceMean_hw: { x: big }, ReduceMean_last: { x: [1, 6400, 256] }, ReduceMax_chan: { x: big }, ArgMax_last: { x: [1, 80, 6625] },
  Clip: { x: big }, Pow2: { x: big },
};
const threads = Number(process.argv[2] || 1);
for (const [name, inputs] of Object.entries(cases)) {
  const s = await ort.InferenceSession.create(`/tmp/ew_bench/${name}.onnx`, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', enableProfiling: true, profileFilePrefix: `/tmp/ew_bench/prof_${name}` });
  const feeds = {};
  for (const [k, dims] of Object.entries(inputs)) {
    const n = dims.reduce((a, b) => a * b, 1); const d = new Float32Array(n);
    for (let i = 0; i < n; ++i) d[i] = ((i * 7) % 256) / 255 - 0.5 + (k === 'y' ? 1.0 : 0);
    feeds[k] = new ort.Tensor('float32', d, dims);
  }
  const t = [];
  for (let r = 0; r < 100; ++r) { const st = process.hrtime.bigint(); await s.run(feeds); t.push(Number(process.hrtime.bigint() - st) / 1e6); }
  await s.release();
  const file = fs.readdirSync('/tmp/ew_bench').filter((f) => f.startsWith(`prof_${name}_`)).map((f) => `/tmp/ew_bench/${f}`).pop();
  const ev = JSON.parse(fs.readFileSync(file, 'utf8')).filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
  const k = ev.map((e) => e.dur / 1000).sort((a, b) => a - b);
  console.log(`${name.padEnd(16)} kernel min ${k[0].toFixed(3)} p10 ${k[Math.floor(k.length / 10)].toFixed(3)} ms`);
}
