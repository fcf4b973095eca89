// The benchmark's TensorFlow.js peer: the weight gradient we supply to its wasm backend
// (which has no Conv2DBackpropFilter) equals TF.js's own kernel, run on its CPU backend.
import { expect, test } from 'vitest';
import { filterGrad, loadTf } from '../../src/cli/bench-tfjs.ts';

test("supplied Conv2DBackpropFilter matches tfjs-backend-cpu's own (5×5, padding 2)", { timeout: 60_000 }, async () => {
  const tf = await loadTf('cpu');
  const x = tf.randomNormal([3, 8, 7, 4], 0, 1, 'float32', 1) as import('@tensorflow/tfjs-core').Tensor4D;
  const w = tf.randomNormal([5, 5, 4, 6], 0, 1, 'float32', 2) as import('@tensorflow/tfjs-core').Tensor4D;
  const dy = tf.randomNormal([3, 8, 7, 6], 0, 1, 'float32', 3) as import('@tensorflow/tfjs-core').Tensor4D;
  // d/dw Σ conv(x, w)·dy is the filter gradient TF.js computes with Conv2DBackpropFilter
  const ref = tf.grad((wv) => tf.sum(tf.mul(tf.conv2d(x, wv as typeof w, 1, 'same'), dy)))(w);
  const got = filterGrad(tf, x, dy, 5, 2);
  expect(got.shape).toEqual([5, 5, 4, 6]);
  const err = tf.max(tf.abs(tf.sub(ref, got))).dataSync()[0],
    scale = tf.max(tf.abs(ref)).dataSync()[0];
  expect(err).toBeLessThan(1e-4 * scale);
});
