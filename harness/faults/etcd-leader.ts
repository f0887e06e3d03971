import type { ClusterMember, RunningCluster } from '../cluster/index.js';
import { FaultError } from './fault-error.js';

/**
 * A node script, as `etcdctl endpoint status` and `member list` would ask: it asks the etcd member
 * at a client URL (with the member's own certificate, which etcd issues for client use too) for
 * the Raft leader's id, then for the members' names, and prints the leader's name. Its one argument
 * (JSON) gives the URL and the member's TLS files.
 */
const ASK_LEADER = `const { url, ca, cert, key } = JSON.parse(process.argv[1]);
  const fs = require('fs');
  const tls = ca ? { ca: fs.readFileSync(ca), cert: fs.readFileSync(cert), key: fs.readFileSync(key) } : {};
  const post = (path) => new Promise((done, fail) => {
    const req = require(url.startsWith('https') ? 'https' : 'http').request(url + path, { method: 'POST', timeout: 3000, ...tls }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => (res.statusCode === 200 ? done(JSON.parse(body)) : fail(new Error(path + ': ' + res.statusCode + ' ' + body))));
    });
    req.on('timeout', () => req.destroy(new Error(path + ': timed out')));
    req.on('error', fail);
    req.end('{}');
  });
  (async () => {
    const { leader } = await post('/v3/maintenance/status');
    const { members } = await post('/v3/cluster/member/list');
    const name = (members.find((m) => m.ID === leader) || {}).name;
    if (!leader || leader === '0' || !name) throw new Error('no leader (an election is on, or quorum is lost)');
    console.log(name);
  })().catch((e) => { console.error(e.message); process.exit(1); });`;

/** The value of `--name=value` among a member's flags. */
const flag = (member: ClusterMember, name: string) =>
  member.args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

/**
 * The etcd member that leads the Raft group (its node's name, e.g. etcd-1), asked of each member
 * in turn from inside its own node until one answers: a member down, or cut off, cannot say.
 */
export async function etcdLeaderOf(cluster: RunningCluster): Promise<string> {
  const failures: string[] = [];
  for (const member of cluster.record.members.filter((m) => m.role === 'etcd')) {
    const ask = JSON.stringify({
      url: flag(member, 'advertise-client-urls')?.split(',')[0],
      ca: flag(member, 'trusted-ca-file'),
      cert: flag(member, 'cert-file'),
      key: flag(member, 'key-file'),
    });
    const answer = await cluster
      .exec(member.node, ['node', '-e', ASK_LEADER, ask])
      .catch((e: Error) => ({ exitCode: 1, output: e.message }));
    if (answer.exitCode === 0) return answer.output.trim();
    failures.push(`${member.name}: ${answer.output.trim()}`);
  }
  throw new FaultError('NoLeader', `no etcd member named a leader: ${failures.join('; ')}`);
}
