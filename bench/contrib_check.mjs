// Runs the cases tests/test_contrib_ops.cpp dumps (INTERSTAGE_CONTRIB_DUMP=DIR)
// through ONNX Runtime and compares with the outputs interstage wrote
// (rtol 1e-3, atol 1e-5 like the conformance suite).
//   INTERSTAGE_CONTRIB_DUMP=/tmp/contrib build/bin/test_contrib_ops
//   node bench/contrib_check.mjs /tmp/contrib
import fs from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';

const types = { 1: ['float32', Float32Array], 2: ['uint8', Uint8Array], 6: ['int32', Int32Array], 7: ['int64', BigInt64Array] };

// TensorProto fields dims=1, data_type=2, name=8, raw_data=9 (as interstage writes them).
function readTensor(file) {
  const b = fs.readFileSync(file);
  let i = 0;
  const varint = () => {
    let v = 0n, shift = 0n, byte;
    do {
      byte = b[i++];
      v |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
    } while (byte & 0x80);
    return v;
  };
  const t = { dims: [], type: 0, name: '', raw: null };
  while (i < b.length) {
    const key = Number(varint());
    const field = key >> 3, wire = key & 7;
    if (wire === 0) {
      const v = Number(varint());
      if (field === 1) t.dims.push(v);
      else if (field === 2) t.type = v;
    } else if (wire === 2) {
      const len = Number(varint());
      const chunk = b.subarray(i, i + len);
      i += len;
      if (field === 1) for (let j = 0; j < chunk.length; ) { /* packed dims */ let v = 0, s = 0, c; do { c = chunk[j++]; v += (c & 0x7f) * 2 ** s; s += 7; } while (c & 0x80); t.dims.push(v); }
      else if (field === 8) t.name = chunk.toString();
      else if (field === 9) t.raw = chunk;
    } else throw new Error(`${file}: wire type ${wire}`);
  }
  const [name, Array_] = types[t.type];
  const copy = Uint8Array.from(t.raw ?? []);
  return { name: t.name, tensor: new ort.Tensor(name, new Array_(copy.buffer), t.dims) };
}

const root = process.argv[2];
let failed = 0;
for (const name of fs.readdirSync(root).sort()) {
  const dir = path.join(root, name);
  const feeds = {};
  const ours = [];
  for (const f of fs.readdirSync(dir).sort()) {
    if (f.startsWith('input_')) { const t = readTensor(path.join(dir, f)); feeds[t.name] = t.tensor; }
    if (f.startsWith('output_')) ours.push(readTensor(path.join(dir, f)));
  }
  try {
    const session = await ort.InferenceSession.create(path.join(dir, 'model.onnx'), { intraOpNumThreads: 1 });
    const result = await session.run(feeds);
    let worst = 0;
    for (const o of ours) {
      const got = o.tensor.data, ref = result[o.name].data;
      for (let i = 0; i < ref.length; ++i) {
        const err = Math.abs(got[i] - ref[i]) / (1e-5 + 1e-3 * Math.abs(ref[i]));
        worst = Math.max(worst, err);
      }
    }
    const ok = worst <= 1;
    if (!ok) ++failed;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${name} (worst error ${worst.toFixed(3)} of the tolerance)`);
  } catch (e) {
    ++failed;
    console.log(`FAIL ${name}: ${e.message.split('\n')[0]}`);
  }
}
process.exit(failed ? 1 : 0);
