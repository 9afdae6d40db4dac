// Runs the Cluster and Maintenance examples (examples/cluster-*.ts, examples/maintenance-*.ts, the
// Go client's ExampleCluster_* and ExampleMaintenance_* in TypeScript) as their own processes, in
// the Go files' order, against one real 3-member cluster (the Go examples' setup), and checks what
// they print and what they did. The KV examples' test (examples.test.ts) uses a 1-member cluster
// and fixed outputs; these need three members and print URLs, hence their own file.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import type { Client } from '../../src/index.js';
import { EtcdCluster, freePorts } from '../../src/testing/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE_TIMEOUT_MS = 30_000;

let cluster: EtcdCluster;
let client: Client;
/** Peer URLs nobody listens on: the voting member added, the learner added, the updated URL. */
let added: string;
let learner: string;
let updated: string;

function run(file: string, env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', `examples/${file}`],
      { cwd: ROOT, env: { ...process.env, ETCD_ENDPOINTS: cluster.endpoints.join(','), ...env }, timeout: EXAMPLE_TIMEOUT_MS },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`examples/${file} failed: ${error.message}\n${stderr}`));
        else if (stderr !== '') reject(new Error(`examples/${file} wrote to stderr: ${stderr}`));
        else resolve(stdout);
      },
    );
  });
}

async function peerUrls(): Promise<string[][]> {
  return (await client.cluster.memberList()).members.map((m) => m.peerURLs);
}

describe('Cluster and Maintenance examples print and do what the Go examples do', { timeout: 90_000 }, () => {
  before(async () => {
    // As the Go examples' test cluster (etcd's integration framework leaves StrictReconfigCheck
    // off): with the check, etcd refuses a change while a member it just added has not started.
    cluster = await EtcdCluster.start({ size: 3, args: ['--strict-reconfig-check=false'] });
    client = cluster.client();
    [added, learner, updated] = (await freePorts(3)).map((port) => `http://127.0.0.1:${port}`);
  });
  after(async () => {
    await cluster?.close();
  });

  test('examples/cluster-member-list.ts (ExampleCluster_memberList)', async () => {
    assert.equal(await run('cluster-member-list.ts'), 'members: 3\n');
  });

  test('examples/cluster-member-add.ts (ExampleCluster_memberAdd)', async () => {
    const out = await run('cluster-member-add.ts', { ETCD_NEW_PEER_URL: added });
    assert.equal(out, `added member.PeerURLs: [${added}]\n`);
    assert.ok((await peerUrls()).some((urls) => urls.includes(added)));
  });

  test('examples/cluster-member-add-as-learner.ts (ExampleCluster_memberAddAsLearner)', async () => {
    const out = await run('cluster-member-add-as-learner.ts', { ETCD_NEW_PEER_URL: learner });
    assert.equal(out, `added member.PeerURLs: [${learner}]\nadded member.IsLearner: true\n`);
    const { members } = await client.cluster.memberList();
    assert.equal(members.find((m) => m.peerURLs.includes(learner))?.isLearner, true);
  });

  test('examples/cluster-member-update.ts (ExampleCluster_memberUpdate)', async () => {
    assert.equal(await run('cluster-member-update.ts', { ETCD_NEW_PEER_URL: added, ETCD_UPDATED_PEER_URL: updated }), '');
    const urls = await peerUrls();
    assert.ok(urls.some((u) => u.includes(updated)) && !urls.some((u) => u.includes(added)));
  });

  test('examples/cluster-member-remove.ts (ExampleCluster_memberRemove)', async () => {
    assert.equal(await run('cluster-member-remove.ts', { ETCD_NEW_PEER_URL: updated }), '');
    const urls = await peerUrls();
    assert.equal(urls.length, 4); // the three started members and the learner
    assert.ok(!urls.some((u) => u.includes(updated)));
  });

  test('examples/maintenance-status.ts (ExampleMaintenance_status)', async () => {
    const leader = await cluster.leader();
    const expected = cluster.members.map((m) => `endpoint: ${m.clientUrl} / Leader: ${m === leader}\n`).join('');
    assert.equal(await run('maintenance-status.ts'), expected);
  });

  test('examples/maintenance-defragment.ts (ExampleMaintenance_defragment)', async () => {
    assert.equal(await run('maintenance-defragment.ts'), '');
  });
});
