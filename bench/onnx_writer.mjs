// A minimal ONNX ModelProto writer for the bench scripts: one graph of
// nodes, float / uint8 initializers and fixed-shape inputs, enough for
// single-op models of any domain. Field numbers from onnx/onnx.proto.
const enc = new TextEncoder();

function varint(n) {
  const out = [];
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n;
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v) byte |= 0x80;
    out.push(byte);
  } while (v);
  return out;
}
const bytesOf = (x) => (typeof x === 'string' ? enc.encode(x) : x instanceof Uint8Array ? x : new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
const lenField = (field, payload) => {
  const b = bytesOf(payload);
  return [...varint((field << 3) | 2), ...varint(b.length), ...b];
};
const intField = (field, n) => [...varint(field << 3), ...varint(n)];
const floatField = (field, x) => [...varint((field << 3) | 5), ...new Uint8Array(new Float32Array([x]).buffer)];
const msg = (parts) => new Uint8Array(parts.flat());

export const DataType = { float: 1, uint8: 2, int32: 6, int64: 7 };

// A TensorProto: dims=1, data_type=2, name=8, raw_data=9.
export function tensor(name, dtype, dims, data) {
  return msg([...dims.map((d) => intField(1, d)), intField(2, DataType[dtype]), lenField(8, name), lenField(9, data)]);
}

// AttributeProto: name=1, f=2, i=3, ints=8, type=20 (FLOAT 1, INT 2, INTS 7).
function attribute(name, value) {
  if (Array.isArray(value)) return msg([lenField(1, name), ...value.map((v) => intField(8, v)), intField(20, 7)]);
  if (Number.isInteger(value)) return msg([lenField(1, name), intField(3, value), intField(20, 2)]);
  return msg([lenField(1, name), floatField(2, value), intField(20, 1)]);
}

// ValueInfoProto with a tensor type: name=1, type=2 {tensor_type=1 {elem_type=1, shape=2 {dim=1 {dim_value=1}}}}.
function valueInfo(name, dtype, dims) {
  const shape = msg(dims.map((d) => lenField(1, msg([intField(1, d)]))));
  const tensorType = msg([intField(1, DataType[dtype]), lenField(2, shape)]);
  return msg([lenField(1, name), lenField(2, msg([lenField(1, tensorType)]))]);
}

// model: { nodes: [{op, domain, inputs, outputs, attrs}], inputs: [[name, dtype, dims]],
// outputs: [[name, dtype, dims]], initializers: [[name, dtype, dims, typedArray]], domains: {name: version} }
export function modelBytes(model) {
  const nodes = model.nodes.map((n, i) =>
    msg([
      ...n.inputs.map((x) => lenField(1, x)),
      ...n.outputs.map((x) => lenField(2, x)),
      lenField(3, n.name || `node${i}`),
      lenField(4, n.op),
      ...Object.entries(n.attrs || {}).map(([k, v]) => lenField(5, attribute(k, v))),
      ...(n.domain ? [lenField(7, n.domain)] : []),
    ]),
  );
  const graph = msg([
    ...nodes.map((n) => lenField(1, n)),
    lenField(2, 'bench'),
    ...(model.initializers || []).map(([name, dtype, dims, data]) => lenField(5, tensor(name, dtype, dims, data))),
    ...model.inputs.map(([name, dtype, dims]) => lenField(11, valueInfo(name, dtype, dims))),
    ...model.outputs.map(([name, dtype, dims]) => lenField(12, valueInfo(name, dtype, dims))),
  ]);
  const opsets = [['', 17], ...Object.entries(model.domains || {})].map(([d, v]) =>
    lenField(8, msg([...(d ? [lenField(1, d)] : []), intField(2, v)])),
  );
  return msg([intField(1, 8), ...opsets, lenField(7, graph)]);
}
