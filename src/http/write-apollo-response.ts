import type { ServerResponse } from 'node:http';
import type { HTTPGraphQLResponse } from '@apollo/server';

/** Sends Apollo's transport-neutral response on a node:http response (complete or streamed). */
export async function writeApolloResponse(res: ServerResponse, response: HTTPGraphQLResponse): Promise<void> {
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}
