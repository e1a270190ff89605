// Human in the loop, runtime side (README "Human in the loop"): a question goes to
// GATEHOUSE_HITL_ENDPOINT with the ingest token and answers 201 { id, expiresAt }; the answer comes
// back later as POST /hitl/{id} on this pod, { requestId, answer, answeredBy }. A forward can
// come again (retryHitlForward), so answers are kept by request id and a repeat is acknowledged.

/** Questions this process asked and is waiting on, and answers received for them. */
export function createHitl(env) {
  const waiting = new Map();
  const answers = new Map();
  // Questions POSTed whose id is not known yet: their answer can come before the 201 is read.
  let asking = 0;

  /** POSTs the question; resolves with { requestId, answer, answeredBy } once the answer is forwarded. */
  async function ask(executionId, question, context = {}, expiresInSeconds = 600) {
    asking += 1;
    let response;
    let body;
    try {
      response = await fetch(env.GATEHOUSE_HITL_ENDPOINT, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${env.GATEHOUSE_INGEST_TOKEN}` },
        body: JSON.stringify({ question, context, executionId, expiresInSeconds }),
      });
      body = await response.json();
    } finally {
      asking -= 1;
    }
    if (response.status !== 201) throw new Error(`The question was refused with ${response.status}: ${body.message ?? JSON.stringify(body)}`);
    const requestId = body.id;
    const received = answers.get(requestId);
    if (received) return received;
    return new Promise((resolve, reject) => {
      // Nobody answers an expired request (answerHitlRequest is CONFLICT then): stop waiting.
      const timer = setTimeout(() => {
        waiting.delete(requestId);
        reject(new Error(`Nobody answered "${question}" (request ${requestId}) before it expired.`));
      }, expiresInSeconds * 1000);
      waiting.set(requestId, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
    });
  }

  /** An answer forwarded to /hitl/{requestId}: true when it is for a question of this process. */
  function receive(requestId, body) {
    if (answers.has(requestId)) return true;
    const deliver = waiting.get(requestId);
    if (!deliver && asking === 0) return false;
    const answer = { requestId, answer: body.answer, answeredBy: body.answeredBy ?? null };
    answers.set(requestId, answer);
    waiting.delete(requestId);
    deliver?.(answer);
    return true;
  }

  return { ask, receive };
}
