import { call } from '../support/api';
import { api } from '../support/apiPerFile';
import { expectProblem } from '../support/applicationsApi';

describe('a known path asked with a method it does not serve', () => {
  test.each([
    ['DELETE', '/v1/applications', 'GET, HEAD, POST'],
    ['PUT', '/v1/applications/3f1c2a3e-0000-4000-8000-000000000000', 'GET, HEAD'],
    ['GET', '/v1/applications/3f1c2a3e-0000-4000-8000-000000000000/review', 'POST'],
    ['GET', '/v1/application-search', 'POST'],
    ['GET', '/v1/verifications', 'POST'],
    ['POST', '/v1/worklists/review', 'GET, HEAD'],
  ])('when %s %s is sent without a token, then 405 with Allow: %s, not 401', async (method, path, allow) => {
    const response = await fetch(api.url + path, { method });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe(allow);
    expectProblem({ status: response.status, contentType: response.headers.get('content-type'), body: await response.json() }, 405, 'method_not_allowed');
  });

  test('when OPTIONS is sent, then 204 with Allow', async () => {
    const response = await fetch(`${api.url}/v1/applications`, { method: 'OPTIONS' });
    expect(response.status).toBe(204);
    expect(response.headers.get('allow')).toBe('GET, HEAD, POST');
  });

  test('when the method is served, or the path is unknown, then authentication answers as before', async () => {
    expectProblem(await call(api, 'GET', '/v1/applications'), 401, 'unauthenticated');
    expectProblem(await call(api, 'GET', '/v1/no-such-thing'), 401, 'unauthenticated');
  });
});
