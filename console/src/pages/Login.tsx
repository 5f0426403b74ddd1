import { Alert, Button, Card, Form, Input } from 'antd';
import { useState } from 'react';
import { ApiError, logIn, type SessionUser } from '../api';
import { problemText, useT } from '../i18n';

export default function Login({ onLoggedIn }: { onLoggedIn: (user: SessionUser) => void }) {
  const t = useT();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = ({ username, password }: { username: string; password: string }) => {
    setBusy(true);
    setError(undefined);
    logIn(username, password)
      .then(onLoggedIn, (e: unknown) => setError(e instanceof ApiError ? problemText(t.lang, e.code, e.message) : t('error')))
      .finally(() => setBusy(false));
  };
  return (
    <Card title={t('login')} style={{ maxWidth: 420, margin: '64px auto' }}>
      {error && <Alert type="error" title={error} showIcon role="alert" style={{ marginBottom: 16 }} data-testid="login-error" />}
      <Form layout="vertical" onFinish={submit} requiredMark={false}>
        <Form.Item label={t('username')} name="username" rules={[{ required: true, message: t('required') }]}>
          <Input autoComplete="username" autoFocus />
        </Form.Item>
        <Form.Item label={t('password')} name="password" rules={[{ required: true, message: t('required') }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={busy}>
          {t('login')}
        </Button>
      </Form>
      <div style={{ marginTop: 16, textAlign: 'center' }}>
        <a href="#/status">{t('status_link')}</a>
      </div>
    </Card>
  );
}
