import { call } from '../support/api';
import { api } from '../support/apiPerFile';
import { expectProblem } from '../support/applicationsApi';

describe('problem title and detail by Accept-Language', () => {
  test('when no language is asked for, then Chinese (zh-CN), with the same code', async () => {
    const answer = await call(api, 'GET', '/v1/applications');
    expectProblem(answer, 401, 'unauthenticated');
    expect(answer.body).toMatchObject({ title: '需要身份认证', detail: '请在请求头中携带有效令牌：Authorization: Bearer <token>。' });
  });

  test.each(['en', 'en-US,en;q=0.9', 'fr;q=0.9, en;q=0.5'])('when Accept-Language is %s, then English', async (header) => {
    const response = await fetch(`${api.url}/v1/applications`, { headers: { 'accept-language': header } });
    expect(response.headers.get('content-language')).toBe('en');
    expect(await response.json()).toMatchObject({ code: 'unauthenticated', title: 'Authentication required', detail: 'Send Authorization: Bearer <token> with a valid token.' });
  });

  test.each(['zh-CN', 'zh', 'fr', 'zh-CN,en;q=0.8'])('when Accept-Language is %s, then Chinese', async (header) => {
    const response = await fetch(`${api.url}/v1/applications`, { headers: { 'accept-language': header } });
    expect(response.headers.get('content-language')).toBe('zh-CN');
    expect(((await response.json()) as { title: string }).title).toBe('需要身份认证');
  });

  test('when several fields are bad, then the Chinese detail names each field and each keeps its code', async () => {
    const answer = await call(api, 'POST', '/v1/application-status', { body: { applicationId: 'A-1', idNumber: '110105199001011234' } });
    expectProblem(answer, 400, 'validation_failed');
    expect(answer.body.title).toBe('请求无效');
    expect(answer.body.detail).toBe('请求中以下字段无效：applicationId、idNumber。');
    expect(answer.body.errors.map((error: { code: string }) => error.code)).toEqual(['invalid_format', 'invalid_id_number']);
  });

  test('when the API document is read, then each code with its own title carries both labels', async () => {
    const { body } = await call(api, 'GET', '/openapi.json');
    expect(body.components.schemas.Problem['x-code-labels'].forbidden_jurisdiction).toEqual({ 'zh-CN': '超出管辖范围', en: 'Outside your jurisdiction' });
    expect(body.components.schemas.Problem['x-status-titles-zh-CN']['404']).toBe('未找到');
  });
});
