/**
 * deploy/kubernetes/verdict.yaml, checked for structure and the invariants its
 * comments promise. No cluster is involved: this is all the validation the
 * manifests get in CI.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { parseConfig } from '../../src/config.js';

const MANIFEST = new URL('../../deploy/kubernetes/verdict.yaml', import.meta.url);
const NAMESPACE = 'verdict';
const SOCKET = '/var/run/docker.sock';

type Labels = Record<string, string>;
interface Meta {
  name?: string;
  namespace?: string;
  labels?: Labels;
}
interface Resource {
  apiVersion?: string;
  kind?: string;
  metadata?: Meta;
  spec?: unknown;
}
interface Probe {
  httpGet?: { path?: string; port?: string | number };
  periodSeconds?: number;
  failureThreshold?: number;
  timeoutSeconds?: number;
}
interface EnvVar {
  name: string;
  value?: unknown;
  valueFrom?: { fieldRef?: { fieldPath?: string } };
}
interface Container {
  name: string;
  image?: string;
  ports?: Array<{ name?: string; containerPort?: number }>;
  env?: EnvVar[];
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command?: string[] } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[] };
  };
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}
interface PodSpec {
  nodeSelector?: Labels;
  tolerations?: Array<{ key?: string; value?: string; effect?: string }>;
  affinity?: {
    podAntiAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: Array<{ topologyKey?: string; labelSelector?: { matchLabels?: Labels } }>;
    };
  };
  enableServiceLinks?: boolean;
  terminationGracePeriodSeconds?: number;
  containers: Container[];
  volumes?: Array<{ name: string; hostPath?: { path?: string; type?: string }; emptyDir?: object }>;
}
interface DeploymentSpec {
  replicas?: number;
  selector?: { matchLabels?: Labels };
  strategy?: { type?: string; rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string } };
  progressDeadlineSeconds?: number;
  template: { metadata?: Meta; spec: PodSpec };
}
interface ServiceSpec {
  type?: string;
  selector?: Labels;
  ports?: Array<{ name?: string; port?: number; targetPort?: string | number }>;
}
interface PdbSpec {
  maxUnavailable?: number | string;
  selector?: { matchLabels?: Labels };
}

function loadManifests(): Resource[] {
  const docs = parseAllDocuments(readFileSync(MANIFEST, 'utf8'));
  assert.ok(Array.isArray(docs), 'the file is a YAML stream');
  return docs.map((doc, i) => {
    assert.deepEqual(doc.errors, [], `document ${i}: YAML errors`);
    assert.deepEqual(doc.warnings, [], `document ${i}: YAML warnings`);
    const value = doc.toJS() as unknown;
    assert.ok(value && typeof value === 'object' && !Array.isArray(value), `document ${i} is a mapping`);
    return value as Resource;
  });
}

const resources = loadManifests();

function only(kind: string): Resource {
  const found = resources.filter((r) => r.kind === kind);
  assert.equal(found.length, 1, `exactly one ${kind}`);
  return found[0]!;
}

const deployment = only('Deployment');
const deploymentSpec = deployment.spec as DeploymentSpec;
const pod = deploymentSpec.template.spec;
const podLabels = deploymentSpec.template.metadata?.labels ?? {};
const container = pod.containers[0]!;
const env = container.env ?? [];

function envValue(name: string): string {
  const found = env.filter((e) => e.name === name);
  assert.equal(found.length, 1, `env ${name} set once`);
  const value = found[0]!.value;
  assert.equal(typeof value, 'string', `env ${name} is a string (the API rejects numbers and booleans)`);
  return value as string;
}

/** Whether a matchLabels-style selector selects pods carrying `labels`. */
function selects(selector: Labels | undefined, labels: Labels): boolean {
  return selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** Memory quantities as this file writes them (plain bytes or binary/decimal suffixes). */
function bytes(quantity: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity);
  assert.ok(m, `memory quantity ${quantity}`);
  const scale: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return Number(m[1]) * (m[2] ? scale[m[2]]! : 1);
}

/** What the service's config parser makes of the container's env (the pod name stands in for the downward API). */
function serviceConfig() {
  const plain: NodeJS.ProcessEnv = {};
  for (const e of env) plain[e.name] = e.value === undefined ? 'verdict-5d8f7c9b4-x2x7q' : String(e.value);
  return parseConfig(plain, { cpuCount: 4, randomId: 'unused' });
}

describe('deploy/kubernetes/verdict.yaml', () => {
  it('holds a Namespace, a Deployment, a Service and a PodDisruptionBudget, all in namespace verdict', () => {
    assert.deepEqual(resources.map((r) => r.kind).sort(), ['Deployment', 'Namespace', 'PodDisruptionBudget', 'Service']);
    for (const r of resources) {
      assert.ok(r.apiVersion, `${r.kind} has an apiVersion`);
      assert.ok(r.metadata?.name, `${r.kind} has a name`);
    }
    assert.equal(only('Namespace').metadata?.name, NAMESPACE);
    for (const r of resources.filter((x) => x.kind !== 'Namespace')) {
      assert.equal(r.metadata?.namespace, NAMESPACE, `${r.kind} ${r.metadata?.name} namespace`);
    }
    assert.equal(deployment.metadata?.name, 'verdict');
    assert.equal(only('Service').metadata?.name, 'verdict');
  });

  it('ties the Deployment selector, the pod labels, the Service, the PDB and the anti-affinity to the same pods', () => {
    const matchLabels = deploymentSpec.selector?.matchLabels;
    assert.ok(selects(matchLabels, podLabels), 'Deployment selector matches its pod template');
    const service = only('Service').spec as ServiceSpec;
    assert.ok(selects(service.selector, podLabels), 'Service selector matches the pods');
    assert.deepEqual(service.selector, matchLabels, 'Service selects exactly the Deployment pods');
    const pdb = only('PodDisruptionBudget').spec as PdbSpec;
    assert.deepEqual(pdb.selector?.matchLabels, matchLabels, 'PDB selects exactly the Deployment pods');
    assert.equal(pdb.maxUnavailable, 1);
  });

  it('places one pod per labelled sandbox node and rolls without surging', () => {
    assert.deepEqual(pod.nodeSelector, { 'verdict.dev/sandbox-node': 'true' });
    for (const t of pod.tolerations ?? []) assert.equal(t.key, 'verdict.dev/sandbox-node', 'tolerates only the sandbox-node taint');
    const terms = pod.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
    assert.ok(
      terms.some((t) => t.topologyKey === 'kubernetes.io/hostname' && selects(t.labelSelector?.matchLabels, podLabels)),
      'a required anti-affinity on kubernetes.io/hostname against its own pods',
    );
    assert.equal(deploymentSpec.strategy?.type, 'RollingUpdate');
    assert.equal(deploymentSpec.strategy?.rollingUpdate?.maxSurge, 0, 'a surge pod would find no node');
    assert.equal(deploymentSpec.strategy?.rollingUpdate?.maxUnavailable, 1);
    assert.ok((deploymentSpec.replicas ?? 1) >= 1);
  });

  it('exposes port http, which the probes and the Service use, and PORT agrees with it', () => {
    assert.equal(pod.containers.length, 1);
    const http = (container.ports ?? []).filter((p) => p.name === 'http');
    assert.equal(http.length, 1, 'one container port named http');
    const containerPort = http[0]!.containerPort;
    assert.equal(envValue('PORT'), String(containerPort));
    assert.equal(serviceConfig().port, containerPort, 'the service parses PORT to the container port');
    assert.equal(envValue('HOST'), '0.0.0.0', 'listens beyond loopback, or probes and the Service cannot reach it');

    const service = only('Service').spec as ServiceSpec;
    assert.equal(service.type ?? 'ClusterIP', 'ClusterIP');
    assert.deepEqual(
      (service.ports ?? []).map((p) => [p.port, p.targetPort]),
      [[80, 'http']],
    );

    const probes: Array<[string, Probe | undefined, string]> = [
      ['startupProbe', container.startupProbe, '/readyz'],
      ['readinessProbe', container.readinessProbe, '/readyz'],
      ['livenessProbe', container.livenessProbe, '/healthz'],
    ];
    for (const [name, probe, path] of probes) {
      assert.ok(probe?.httpGet, `${name} is an httpGet`);
      assert.equal(probe.httpGet.path, path, `${name} path`);
      assert.equal(probe.httpGet.port, 'http', `${name} port`);
    }
  });

  it('gives the first start time to build sandbox images, and the rollout longer still', () => {
    const startup = container.startupProbe!;
    const budgetSeconds = (startup.periodSeconds ?? 10) * (startup.failureThreshold ?? 3);
    assert.ok(budgetSeconds >= 600, `startup budget ${budgetSeconds} s`);
    assert.ok((deploymentSpec.progressDeadlineSeconds ?? 600) > budgetSeconds, 'progressDeadlineSeconds outlasts the startup budget');
  });

  it('lets a drain finish: grace period > preStop + VERDICT_SHUTDOWN_GRACE_MS, and liveness cannot cut it short', () => {
    const command = container.lifecycle?.preStop?.exec?.command ?? [];
    assert.equal(command.length, 2);
    assert.equal(command[0], 'sleep');
    const preStopSeconds = Number(command[1]);
    assert.ok(Number.isFinite(preStopSeconds) && preStopSeconds > 0, `preStop sleeps a positive number of seconds: ${command[1]}`);

    envValue('VERDICT_SHUTDOWN_GRACE_MS');
    const drainMs = serviceConfig().shutdownGraceMs;
    const graceSeconds = pod.terminationGracePeriodSeconds;
    assert.ok(graceSeconds !== undefined, 'terminationGracePeriodSeconds set');
    assert.ok(graceSeconds * 1000 > drainMs + preStopSeconds * 1000, `${graceSeconds} s > ${drainMs} ms + ${preStopSeconds} s`);

    const liveness = container.livenessProbe!;
    assert.ok((liveness.periodSeconds ?? 10) * (liveness.failureThreshold ?? 3) > graceSeconds, 'liveness failures take longer than a whole termination');
  });

  it('mounts the node Docker socket and labels sandboxes with the pod name', () => {
    const volume = (pod.volumes ?? []).find((v) => v.hostPath?.path === SOCKET);
    assert.ok(volume, `a hostPath volume of ${SOCKET}`);
    assert.equal(volume.hostPath?.type, 'Socket');
    const mount = (container.volumeMounts ?? []).find((m) => m.name === volume.name);
    assert.equal(mount?.mountPath, SOCKET);

    const id = env.filter((e) => e.name === 'VERDICT_INSTANCE_ID');
    assert.equal(id.length, 1);
    assert.equal(id[0]!.value, undefined);
    assert.equal(id[0]!.valueFrom?.fieldRef?.fieldPath, 'metadata.name');
    assert.equal(pod.enableServiceLinks, false, 'no VERDICT_* variables injected for the Service named verdict');
  });

  it('sets every env value as a string the service accepts', () => {
    const names = env.map((e) => e.name);
    assert.equal(new Set(names).size, names.length, 'no env variable twice');
    for (const e of env) {
      if (e.valueFrom === undefined) assert.equal(typeof e.value, 'string', `env ${e.name} is a string`);
    }
    assert.doesNotThrow(() => serviceConfig());
  });

  it('requests resources, with memory limits no lower than requests', () => {
    const { requests, limits } = container.resources ?? {};
    assert.ok(requests?.cpu, 'cpu request');
    assert.ok(requests.memory, 'memory request');
    if (limits?.memory) assert.ok(bytes(limits.memory) >= bytes(requests.memory), 'memory limit >= request');
    assert.equal(limits?.cpu, undefined, 'no CPU limit');
  });

  it('runs with a read-only root, no capabilities and a writable /tmp', () => {
    const sc = container.securityContext;
    assert.equal(sc?.readOnlyRootFilesystem, true);
    assert.equal(sc?.allowPrivilegeEscalation, false);
    assert.deepEqual(sc?.capabilities?.drop, ['ALL']);
    const tmp = (container.volumeMounts ?? []).find((m) => m.mountPath === '/tmp');
    assert.ok(tmp && !tmp.readOnly, '/tmp is mounted writable');
    assert.ok((pod.volumes ?? []).find((v) => v.name === tmp.name)?.emptyDir, '/tmp is an emptyDir');
  });
});
