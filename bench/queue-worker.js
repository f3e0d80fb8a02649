// The SPEND_QUEUE of npm run bench --observe: takes what workerd's queue binding sends (POST /message,
// /batch) and answers as a queue that accepts it (miniflare's broker's reply). The consumer's work is not the
// request's, so none here.
const ACCEPTED = JSON.stringify({ metadata: { metrics: { backlogCount: 0, backlogBytes: 0, oldestMessageTimestamp: 0 } } });

export default {
  async fetch(request) {
    await request.arrayBuffer();
    return new Response(ACCEPTED, { headers: { 'content-type': 'application/json' } });
  },
};
