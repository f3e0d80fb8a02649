// The SPEND_QUEUE of npm run bench --observe: takes what workerd's queue binding sends (POST /message,
// /batch) and answers 200, as a queue that accepts it. The consumer's work is not the request's, so none here.
export default {
  async fetch(request) {
    await request.arrayBuffer();
    return new Response(null, { status: 200 });
  },
};
