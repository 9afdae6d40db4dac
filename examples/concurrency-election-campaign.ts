/**
 * Go `ExampleElection_Campaign`: two candidates campaign in one election; e2 wins first, e1 waits
 * until e2 resigns. Each winner is read back with `observe()`. Prints
 * `completed first election with e2`, `completed second election with e1`.
 *
 * Go's example delays e1 by 3 seconds so that e2 wins; here e1 campaigns once e2 has won.
 * Run: `npx tsx examples/concurrency-election-campaign.ts` (endpoints from ETCD_ENDPOINTS, default http://127.0.0.1:2379).
 */
import { Election, Session } from '../src/concurrency/index.js';
import { Client, type GetResponse } from '../src/index.js';
import { DIAL_TIMEOUT_MS, runIfMain } from './run.js';

/** The first response of `election.observe()`: the current leader. */
async function currentLeader(election: Election): Promise<GetResponse> {
  for await (const response of election.observe()) return response; // leaving the loop stops observing
  throw new Error('observe ended');
}

export async function main(endpoints: string[]): Promise<void> {
  await using client = new Client({ endpoints, dialTimeout: DIAL_TIMEOUT_MS });

  // create two separate sessions for election competition
  await using s1 = await Session.create(client);
  const e1 = new Election(s1, '/my-election/');
  await using s2 = await Session.create(client);
  const e2 = new Election(s2, '/my-election/');

  // create competing candidates, with e1 initially losing to e2
  await e2.campaign('e2');
  const e1Elected = e1.campaign('e1');

  let leader = await currentLeader(e2);
  console.log('completed first election with', leader.kvs[0]!.value.toString());

  // resign so next candidate can be elected
  await e2.resign();

  await e1Elected;
  leader = await currentLeader(e1);
  console.log('completed second election with', leader.kvs[0]!.value.toString());
}

runIfMain(import.meta.url, main);
