import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtinDefaultLimits, builtinMaxLimits, ConfigError, parseConfig } from '../../src/config.js';
import { resolveLimits } from '../../src/domain/limits.js';

const facts = { cpuCount: 4, randomId: 'r1' };

describe('config', () => {
  it('has safe embedded defaults', () => {
    const c = parseConfig({}, facts);
    assert.equal(c.port, 8080);
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.concurrency, 4);
    assert.equal(c.instanceId, 'r1');
    assert.equal(c.runtime, undefined);
    assert.deepEqual(c.defaultLimits, builtinDefaultLimits);
  });
  it('reads overrides from the environment', () => {
    const c = parseConfig({ PORT: '9000', VERDICT_MAX_TIME_MS: '60000', VERDICT_DEFAULT_MEMORY_BYTES: '1048576', VERDICT_RUNTIME: 'runsc' }, facts);
    assert.equal(c.port, 9000);
    assert.equal(c.maxLimits.timeMs, 60000);
    assert.equal(c.defaultLimits.memoryBytes, 1048576);
    assert.equal(c.runtime, 'runsc');
  });
  it('gives every many-item request a deadline: a default and a maximum', () => {
    const c = parseConfig({}, facts);
    assert.equal(c.defaultDeadlineMs, 3_600_000);
    assert.equal(c.maxDeadlineMs, 86_400_000);
    const set = parseConfig({ VERDICT_DEFAULT_DEADLINE_MS: '60000', VERDICT_MAX_DEADLINE_MS: '120000' }, facts);
    assert.deepEqual([set.defaultDeadlineMs, set.maxDeadlineMs], [60_000, 120_000]);
    assert.throws(() => parseConfig({ VERDICT_MAX_DEADLINE_MS: '60000' }, facts), /VERDICT_DEFAULT_DEADLINE_MS \(3600000\) exceeds VERDICT_MAX_DEADLINE_MS \(60000\)/);
    // The request schemas bound deadlineMs at 24 h; a larger maximum could never be asked for.
    assert.throws(() => parseConfig({ VERDICT_MAX_DEADLINE_MS: String(86_400_001) }, facts), /VERDICT_MAX_DEADLINE_MS=/);
  });
  it('lets a batch be larger than the queue: it takes only its share of places', () => {
    const c = parseConfig({ VERDICT_QUEUE_LIMIT: '4', VERDICT_MAX_BATCH_ITEMS: '100' }, facts);
    assert.deepEqual([c.queueLimit, c.maxBatchItems], [4, 100]);
    assert.equal(parseConfig({ VERDICT_QUEUE_LIMIT: '4' }, facts).maxBatchItems, 10_000);
  });
  it('limits the entries of every sandbox tmpfs, to no fewer than 1024', () => {
    assert.equal(parseConfig({}, facts).scratchInodes, 16_384);
    assert.equal(parseConfig({ VERDICT_SCRATCH_INODES: '4096' }, facts).scratchInodes, 4096);
    assert.throws(() => parseConfig({ VERDICT_SCRATCH_INODES: '100' }, facts), /VERDICT_SCRATCH_INODES=/);
  });
  it('names the variable that is wrong', () => {
    assert.throws(() => parseConfig({ PORT: 'eighty' }, facts), (e: Error) => e instanceof ConfigError && /PORT="eighty"/.test(e.message));
    assert.throws(() => parseConfig({ VERDICT_DEFAULT_TIME_MS: '99999' }, facts), /exceeds VERDICT_MAX_TIME_MS/);
  });
  it('waits for a body at the body limit from a slow client, and bounds the connections of one address', () => {
    const c = parseConfig({}, facts);
    assert.equal(c.headersTimeoutMs, 10_000);
    // 64 MiB at 512 KiB/s.
    assert.equal(c.requestTimeoutMs, 128_000);
    assert.equal(c.sendTimeoutMs, 60_000);
    assert.equal(c.maxConnectionsPerAddress, 256);
    assert.equal(parseConfig({ VERDICT_BODY_LIMIT_BYTES: String(256 * 1024 * 1024) }, facts).requestTimeoutMs, 512_000);
    // Never under a minute, however small the body limit.
    assert.equal(parseConfig({ VERDICT_BODY_LIMIT_BYTES: '1024' }, facts).requestTimeoutMs, 60_000);
    assert.equal(parseConfig({ VERDICT_MAX_CONNECTIONS_PER_ADDRESS: '0' }, facts).maxConnectionsPerAddress, 0);
    assert.throws(() => parseConfig({ VERDICT_HEADERS_TIMEOUT_MS: '70000', VERDICT_REQUEST_TIMEOUT_MS: '60000' }, facts), /VERDICT_HEADERS_TIMEOUT_MS \(70000\) exceeds VERDICT_REQUEST_TIMEOUT_MS/);
  });
});

describe('limits', () => {
  it('fills defaults and keeps what was asked', () => {
    const l = resolveLimits({ memoryBytes: 1024 }, builtinDefaultLimits, builtinMaxLimits);
    assert.equal(l.memoryBytes, 1024);
    assert.equal(l.timeMs, builtinDefaultLimits.timeMs);
  });
  it('raises the default wall limit with a raised CPU limit', () => {
    assert.equal(resolveLimits({ timeMs: 10_000 }, builtinDefaultLimits, builtinMaxLimits).wallTimeMs, 21_000);
    assert.equal(resolveLimits({ timeMs: 10_000, wallTimeMs: 12_000 }, builtinDefaultLimits, builtinMaxLimits).wallTimeMs, 12_000);
  });
  it('raises the default total test budget to hold one test at its wall limit', () => {
    assert.equal(resolveLimits({}, builtinDefaultLimits, builtinMaxLimits).totalWallTimeMs, 60_000);
    assert.equal(resolveLimits({ wallTimeMs: 100_000 }, builtinDefaultLimits, builtinMaxLimits).totalWallTimeMs, 100_000);
    assert.equal(resolveLimits({ wallTimeMs: 100_000, totalWallTimeMs: 5000 }, builtinDefaultLimits, builtinMaxLimits).totalWallTimeMs, 5000);
    assert.throws(() => resolveLimits({ totalWallTimeMs: 600_001 }, builtinDefaultLimits, builtinMaxLimits), /limits\.totalWallTimeMs: 600001 exceeds the server maximum 600000/);
  });
  it('refuses anything above the maximum, naming each field', () => {
    assert.throws(
      () => resolveLimits({ timeMs: 10 ** 6, processes: 10 ** 6 }, builtinDefaultLimits, builtinMaxLimits),
      /limits\.timeMs: 1000000 exceeds the server maximum 30000; limits\.processes: 1000000 exceeds the server maximum 512/,
    );
  });
  it('takes the parent container from the facts, the environment over them, and refuses what is not a container id', () => {
    const id = 'a'.repeat(64);
    assert.equal(parseConfig({}, facts).parentContainer, undefined);
    assert.equal(parseConfig({}, { ...facts, containerId: id }).parentContainer, id);
    assert.equal(parseConfig({ VERDICT_PARENT_CONTAINER: 'b'.repeat(12) }, { ...facts, containerId: id }).parentContainer, 'b'.repeat(12));
    assert.throws(() => parseConfig({ VERDICT_PARENT_CONTAINER: 'web-1' }, facts), /VERDICT_PARENT_CONTAINER="web-1": a Docker container id/);
    assert.equal(parseConfig({}, facts).pruneStaleImages, true);
    assert.equal(parseConfig({ VERDICT_PRUNE_STALE_IMAGES: 'false' }, facts).pruneStaleImages, false);
  });
});
