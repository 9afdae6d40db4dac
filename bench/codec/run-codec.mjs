#!/usr/bin/env node
// Codec-only benchmark: every (codec, scenario) in a fresh node process pinned to CPU 1.
//   node run-codec.mjs [--reps=6] [--warm=1000] [--window=2000] [--cpu=1]
//                      [--scenarios=encPut,encRange,decRange1,decRange1000]
// Writes results/codec-<time>.json and prints the tables (report.mjs).
import { CODECS } from './codecs/index.mjs';
import { options, runMatrix, runNode } from './runner.mjs';
import { report } from './report.mjs';

const o = options({ reps: 6, warm: 1000, window: 2000, cpu: 1, scenarios: 'encPut,encRange,decRange1,decRange1000' });
const SCENARIOS = o.scenarios.split(',');
const file = await runMatrix({
  kind: 'codec', codecs: CODECS, scenarios: SCENARIOS, reps: o.reps,
  runOne: (codec, scenario) => runNode(['codec-bench.mjs', codec, scenario, String(o.warm), String(o.window)], o.cpu),
});
console.log(report(file));
