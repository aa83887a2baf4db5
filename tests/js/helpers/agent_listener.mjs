// A second agent for tests/js/agents_share_served_file.test.mjs, in its own process: it
// subscribes to a served RVF file and, for every update that names rows, searches the file with
// the probe vector it was given and prints one JSON line {t, epoch, event, ids, top} (t: the
// wall-clock ms when the event arrived). It prints {"ready": true} once subscribed.
//   node agent_listener.mjs BASE_URL PROBE_JSON
import { RvfServerClient } from '../../../npm/rvf/src/server-client.js';

const [base, probeJson] = process.argv.slice(2);
const probe = JSON.parse(probeJson);
const client = new RvfServerClient(base);
for await (const e of client.subscribe()) {
    if (e.type === 'subscribed') {
        process.stdout.write(`${JSON.stringify({ ready: true, epoch: e.data.epoch })}\n`);
        continue;
    }
    if (e.type !== 'update')
        break;
    const t = Date.now();
    const hits = (await client.query(probe, 1)).results;
    process.stdout.write(`${JSON.stringify({ t, epoch: e.data.epoch, event: e.data.event, ids: e.data.ids, top: hits[0]?.id ?? null })}\n`);
}
