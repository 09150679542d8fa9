// The batch stage split (golden plans: stages at every redistributing edge, forward edges inside
// a stage, the scheduling order, the all-blocking fallback) and the runtime mode's validation.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  DataGeneratorSource, describeBatchPlan, planBatchStages, resolveRuntimeMode, StreamExecutionEnvironment, UnboundedSourceError,
} from '../../../api/index.ts';

const env = (p = 2) => StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(p);
const plan = (e: StreamExecutionEnvironment) => describeBatchPlan(planBatchStages(e.getJobGraph()));

test('a chain without redistribution is one stage', () => {
  const e = env();
  e.fromSequence(1, 10).map((x) => x).filter(() => true).addSink(() => {});
  assert.is(plan(e), 'stage 0 (p=2): [Sequence Source -> Map -> Filter -> Sink]');
});

test('keyBy, rebalance and a change of parallelism each start a stage, in order', () => {
  const e = env();
  e.fromSequence(1, 10).map((x) => x).keyBy((x) => x % 3).reduce((a, b) => a + b)
    .rebalance().map((x) => x).setParallelism(3).addSink(() => {}).setParallelism(3);
  assert.is(plan(e), [
    'stage 0 (p=2): [Sequence Source -> Map]',
    'stage 1 (p=2): [Keyed Reduce] <- hash from "Sequence Source -> Map" after 0',
    'stage 2 (p=3): [Map -> Sink] <- rebalance from "Keyed Reduce" after 1',
  ].join('\n'));
});

test('a union of two sources joins one stage; both inputs of a keyed connect are blocking', () => {
  const e = env();
  const a = e.fromSequence(1, 10), b = e.fromSequence(11, 20);
  a.union(b).map((x) => x).addSink(() => {});
  assert.is(plan(e), [
    'stage 0 (p=2): [Sequence Source] [Sequence Source] [Map -> Sink]',
  ].join('\n'));
  const f = env();
  const x = f.fromSequence(1, 10), y = f.fromSequence(1, 10).map((v) => v * 2);
  x.keyBy((v) => v).connect(y.keyBy((v) => v)).map((v) => v, (v) => v).addSink(() => {});
  assert.is(plan(f), [
    'stage 0 (p=2): [Sequence Source]',
    'stage 1 (p=2): [Sequence Source -> Map]',
    'stage 2 (p=2): [Co-Map -> Sink] <- hash from "Sequence Source", hash from "Sequence Source -> Map" after 0,1',
  ].join('\n'));
});

test('a blocking edge inside a forward-connected set makes every edge blocking', () => {
  const e = env();
  const s = e.fromSequence(1, 10).map((x) => x);
  const k = s.keyBy((x) => x % 2).reduce((a, b) => a + b);
  s.connect(k).map((x) => x, (x) => x).addSink(() => {});
  const p = planBatchStages(e.getJobGraph());
  assert.ok(p.allEdgesBlocking);
  assert.is(describeBatchPlan(p), [
    'stage 0 (p=2): [Sequence Source -> Map]',
    'stage 1 (p=2): [Keyed Reduce] <- hash from "Sequence Source -> Map" after 0',
    'stage 2 (p=2): [Co-Map -> Sink] <- forward from "Sequence Source -> Map", forward from "Keyed Reduce" after 0,1',
  ].join('\n'));
});

test('batch mode refuses an unbounded source at submission, naming it; automatic falls back to streaming', async () => {
  const e = env().setRuntimeMode('batch');
  e.fromSource(new DataGeneratorSource((i) => i, Infinity), undefined, 'Endless Numbers').addSink(() => {});
  assert.throws(() => e.getJobGraph(), (err: Error) => err instanceof UnboundedSourceError && /"Endless Numbers" is unbounded/.test(err.message));
  let failure: unknown;
  try { await e.execute(); } catch (error) { failure = error; }
  assert.instance(failure, UnboundedSourceError);
  const a = env().setRuntimeMode('automatic');
  a.fromSource(new DataGeneratorSource((i) => i, Infinity), undefined, 'Endless Numbers').addSink(() => {});
  assert.is(a.getJobGraph().config.runtimeMode, 'streaming');
  const b = env().setRuntimeMode('automatic');
  b.fromSource(new DataGeneratorSource((i) => i, 10), undefined, 'Ten Numbers').addSink(() => {});
  assert.is(b.getJobGraph().config.runtimeMode, 'batch');
});

test('socket sources are unbounded; a bad mode is refused; batch drops checkpointing', () => {
  const e = env().setRuntimeMode('batch');
  e.socketTextStream('localhost', 9999).addSink(() => {});
  assert.throws(() => e.getJobGraph(), /source "Socket Stream" is unbounded/);
  assert.throws(() => env().setRuntimeMode('bulk' as never), /runtime mode must be/);
  const c = env().setRuntimeMode('batch').enableCheckpointing(100);
  c.fromSequence(1, 3).addSink(() => {});
  assert.is(c.getJobGraph().config.faultTolerance.checkpointing, undefined);
  assert.is(resolveRuntimeMode('streaming', []), 'streaming');
});

test.run();
