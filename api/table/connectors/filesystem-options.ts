// The filesystem connector's sink options (Flink's FileSystemConnectorOptions): the rolling policy
// ('sink.rolling-policy.*'), the partition commit ('sink.partition-commit.*') and the partition
// time extractor ('partition.time-extractor.*'), parsed and checked when the sink is planned, so
// that an unknown key or a bad value fails the statement naming the option. Durations and sizes
// are read as Flink reads them ('30 min', '10s', '128MB'). Imports nothing but the connector types.
import type { ConnectorContext } from './table-connector.ts';

/** How partitions are committed: when (trigger, delay) and what a commit does (the success file). */
export interface PartitionCommitOptions {
  readonly trigger: 'process-time' | 'partition-time';
  readonly delayMs: number;
  /** The zone that turns a partition's local time into an instant to compare with the watermark. */
  readonly watermarkTimeZone: string;
  /** The success file's name, or undefined when no policy writes one. */
  readonly successFileName: string;
  /** The pattern that builds a timestamp from partition values ('$dt $hour:00:00'); undefined: the first value. */
  readonly timestampPattern?: string;
  /** A Java DateTimeFormatter pattern for that timestamp; undefined: 'yyyy-MM-dd[ HH:mm[:ss]]'. */
  readonly timestampFormatter?: string;
  /** The directory name of null or empty partition values ('partition.default-name'). */
  readonly defaultPartitionName?: string;
}

/** The sink options of a filesystem table. */
export interface FileSystemSinkOptions {
  readonly fileSizeBytes: number;
  readonly rolloverIntervalMs: number;
  readonly checkIntervalMs: number;
  readonly inactivityIntervalMs: number;
  /** Whether rows are shuffled by partition so that one subtask writes each partition. */
  readonly shuffleByPartition: boolean;
  /** Present when 'sink.partition-commit.policy.kind' asks for a commit. */
  readonly partitionCommit?: PartitionCommitOptions;
}

/** The option keys the filesystem connector understands besides 'path', 'format' and the formats' own. */
export const FILESYSTEM_SINK_OPTIONS: readonly string[] = [
  'sink.rolling-policy.file-size', 'sink.rolling-policy.rollover-interval', 'sink.rolling-policy.check-interval',
  'sink.rolling-policy.inactivity-interval', 'sink.shuffle-by-partition.enable',
  'sink.partition-commit.trigger', 'sink.partition-commit.delay', 'sink.partition-commit.watermark-time-zone',
  'sink.partition-commit.policy.kind', 'sink.partition-commit.policy.class', 'sink.partition-commit.policy.class.parameters',
  'sink.partition-commit.success-file.name',
  'partition.time-extractor.kind', 'partition.time-extractor.class', 'partition.time-extractor.timestamp-pattern',
  'partition.time-extractor.timestamp-formatter', 'partition.default-name',
];

const MINUTE = 60_000;

/** Milliseconds per unit of Flink's duration syntax. */
const DURATION_UNITS: ReadonlyArray<[readonly string[], number]> = [
  [['ns', 'nano', 'nanos', 'nanosecond', 'nanoseconds'], 1e-6],
  [['us', 'µs', 'micro', 'micros', 'microsecond', 'microseconds'], 1e-3],
  [['', 'ms', 'milli', 'millis', 'millisecond', 'milliseconds'], 1],
  [['s', 'sec', 'secs', 'second', 'seconds'], 1000],
  [['m', 'min', 'mins', 'minute', 'minutes'], MINUTE],
  [['h', 'hour', 'hours'], 60 * MINUTE],
  [['d', 'day', 'days'], 24 * 60 * MINUTE],
];

/** A Flink duration ('30 min', '10s', '500' = ms) in milliseconds, or undefined when not one. */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+)\s*([a-zµ]*)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = DURATION_UNITS.find(([names]) => names.includes(m[2].toLowerCase()));
  return unit === undefined ? undefined : Number(m[1]) * unit[1];
}

/** Bytes per unit of Flink's memory size syntax (powers of 1024). */
const SIZE_UNITS: ReadonlyArray<[readonly string[], number]> = [
  [['', 'b', 'bytes'], 1],
  [['k', 'kb', 'kibibytes'], 1024],
  [['m', 'mb', 'mebibytes'], 1024 ** 2],
  [['g', 'gb', 'gibibytes'], 1024 ** 3],
  [['t', 'tb', 'tebibytes'], 1024 ** 4],
];

/** A Flink memory size ('128MB', '1 kb', '4096') in bytes, or undefined when not one. */
export function parseMemorySize(text: string): number | undefined {
  const m = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = SIZE_UNITS.find(([names]) => names.includes(m[2].toLowerCase()));
  return unit === undefined ? undefined : Number(m[1]) * unit[1];
}

/** Whether `zone` names a time zone this runtime knows (an IANA id, 'UTC', or an offset such as '+08:00'). */
function validTimeZone(zone: string): boolean {
  try { new Intl.DateTimeFormat('en-US', { timeZone: zone }); return true; } catch { return false; }
}

/** The sink options of the filesystem table `ctx`; throws naming the first bad option. */
export function fileSystemSinkOptions(ctx: ConnectorContext): FileSystemSinkOptions {
  const o = ctx.options;
  const fail = (key: string, why: string): never => { throw new Error(`table ${ctx.tableName}: option '${key}' ${why}`); };
  const duration = (key: string, dflt: number, positive = true): number => {
    if (o[key] === undefined) return dflt;
    const ms = parseDuration(o[key]);
    if (ms === undefined) return fail(key, `must be a duration such as '30 min' or '10 s', got '${o[key]}'`);
    if (positive && ms <= 0) return fail(key, `must be positive, got '${o[key]}'`);
    return ms;
  };
  const choice = <C extends string>(key: string, values: readonly C[], dflt: C): C => {
    const v = o[key] ?? dflt;
    if (!(values as readonly string[]).includes(v)) fail(key, `must be one of ${values.map((x) => `'${x}'`).join(', ')}, got '${v}'`);
    return v as C;
  };
  let fileSizeBytes = 128 * 1024 ** 2;
  if (o['sink.rolling-policy.file-size'] !== undefined) {
    const size = parseMemorySize(o['sink.rolling-policy.file-size']);
    if (size === undefined || size <= 0) fail('sink.rolling-policy.file-size', `must be a positive memory size such as '128MB', got '${o['sink.rolling-policy.file-size']}'`);
    fileSizeBytes = size!;
  }
  const shuffle = choice('sink.shuffle-by-partition.enable', ['true', 'false'], 'false');
  const options = {
    fileSizeBytes,
    rolloverIntervalMs: duration('sink.rolling-policy.rollover-interval', 30 * MINUTE),
    checkIntervalMs: duration('sink.rolling-policy.check-interval', MINUTE),
    inactivityIntervalMs: duration('sink.rolling-policy.inactivity-interval', 30 * MINUTE),
    shuffleByPartition: shuffle === 'true',
  };
  const defaultName = o['partition.default-name'];
  if (defaultName !== undefined && (defaultName === '' || defaultName.includes('/'))) fail('partition.default-name', `must be a non-empty name without '/', got '${defaultName}'`);
  if (o['sink.partition-commit.policy.class'] !== undefined || o['sink.partition-commit.policy.class.parameters'] !== undefined) {
    fail(o['sink.partition-commit.policy.class'] !== undefined ? 'sink.partition-commit.policy.class' : 'sink.partition-commit.policy.class.parameters',
      'is not supported: a custom commit policy is a Java class; use \'sink.partition-commit.policy.kind\' = \'success-file\'');
  }
  if (o['partition.time-extractor.class'] !== undefined) fail('partition.time-extractor.class', 'is not supported: a custom time extractor is a Java class; use \'partition.time-extractor.timestamp-pattern\'');
  choice('partition.time-extractor.kind', ['default'], 'default');
  const commitKeys = Object.keys(o).filter((k) => k.startsWith('sink.partition-commit.') || k.startsWith('partition.time-extractor.'));
  const kinds = o['sink.partition-commit.policy.kind'];
  const partitioned = (ctx.partitionKeys?.length ?? 0) > 0;
  if (commitKeys.length > 0 && !partitioned) fail(commitKeys[0], 'applies to partitioned tables only: declare PARTITIONED BY (...)');
  const trigger = choice('sink.partition-commit.trigger', ['process-time', 'partition-time'], 'process-time');
  const delayMs = duration('sink.partition-commit.delay', 0, false);
  const watermarkTimeZone = o['sink.partition-commit.watermark-time-zone'] ?? 'UTC';
  if (!validTimeZone(watermarkTimeZone)) fail('sink.partition-commit.watermark-time-zone', `must name a time zone such as 'UTC' or 'Asia/Shanghai', got '${watermarkTimeZone}'`);
  const formatter = o['partition.time-extractor.timestamp-formatter'];
  if (formatter !== undefined) {
    try { javaPatternRegex(formatter); } catch (e) { fail('partition.time-extractor.timestamp-formatter', (e as Error).message); }
  }
  if (kinds === undefined) {
    const sinkKey = commitKeys.find((k) => k.startsWith('sink.'));
    if (sinkKey !== undefined) fail(sinkKey, "has no effect without 'sink.partition-commit.policy.kind' (e.g. 'success-file')");
    return options;
  }
  const list = kinds.split(',').map((k) => k.trim().toLowerCase());
  for (const kind of list) {
    if (kind === 'metastore') fail('sink.partition-commit.policy.kind', "'metastore' is not applicable: a filesystem table has no metastore to add partitions to (only Hive tables do); use 'success-file'");
    if (kind === 'custom') fail('sink.partition-commit.policy.kind', "'custom' is not applicable: a custom policy is a Java class; use 'success-file'");
    if (kind !== 'success-file') fail('sink.partition-commit.policy.kind', `must be 'success-file' (Flink's 'metastore' and 'custom' do not apply here), got '${kind}'`);
  }
  const successFileName = o['sink.partition-commit.success-file.name'] ?? '_SUCCESS';
  if (successFileName === '' || /[\\/]/.test(successFileName) || successFileName === '.' || successFileName === '..') {
    fail('sink.partition-commit.success-file.name', `must be a plain file name, got '${successFileName}'`);
  }
  const pattern = o['partition.time-extractor.timestamp-pattern'];
  if (pattern !== undefined) {
    for (const m of pattern.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g)) {
      if (!ctx.partitionKeys!.includes(m[1])) fail('partition.time-extractor.timestamp-pattern', `names '${m[1]}', which is not a partition column (${ctx.partitionKeys!.join(', ')})`);
    }
  }
  return { ...options, partitionCommit: { trigger, delayMs, watermarkTimeZone, successFileName, timestampPattern: pattern, timestampFormatter: formatter, defaultPartitionName: defaultName } };
}

/** Java DateTimeFormatter letters this reader understands, as regex groups. */
const PATTERN_FIELDS: Readonly<Record<string, string>> = {
  yyyy: 'year', uuuu: 'year', MM: 'month', M: 'month', dd: 'day', d: 'day', HH: 'hour', H: 'hour', mm: 'minute', m: 'minute', ss: 'second', s: 'second',
};

/** A regex (with named groups) for a Java date-time pattern such as 'yyyyMMdd HH'; throws on letters it cannot read. */
export function javaPatternRegex(pattern: string): RegExp {
  let re = '';
  const seen = new Set<string>();
  for (let i = 0; i < pattern.length;) {
    const ch = pattern[i];
    if (ch === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end < 0) throw new Error(`has an unclosed quote: '${pattern}'`);
      re += (end === i + 1 ? "'" : pattern.slice(i + 1, end)).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      i = end + 1;
      continue;
    }
    if (/[A-Za-z]/.test(ch)) {
      let j = i;
      while (pattern[j] === ch) j++;
      const letters = pattern.slice(i, j);
      const field = PATTERN_FIELDS[letters];
      if (field === undefined) throw new Error(`uses '${letters}', which this reader does not support (use yyyy, MM, dd, HH, mm, ss)`);
      if (seen.has(field)) throw new Error(`names the ${field} twice: '${pattern}'`);
      seen.add(field);
      re += `(?<${field}>\\d{${letters.length === 1 ? '1,2' : letters.length}})`;
      i = j;
      continue;
    }
    re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    i++;
  }
  if (!seen.has('year') || !seen.has('month') || !seen.has('day')) throw new Error(`must name the year, month and day (yyyy, MM, dd): '${pattern}'`);
  return new RegExp(`^${re}$`);
}
