import { App, Button, Card, Form, Input, Modal, Select, Space, Tabs, Tag, Typography } from 'antd';
import { useState } from 'react';
import { api, ApiError, type SessionUser } from '../api';
import { formatDateTime, problemText, useT } from '../i18n';
import { StageTag } from './ApplicationTable';
import { PagedTable, usePaged } from './PagedTable';
import { BlacklistPanel, ImpersonationPanel } from './Blacklist';

interface Stuck {
  applicationId: string;
  stage: string;
  reason: string;
  stuckSince: string;
}

interface Account {
  id: string;
  username: string;
  name: string;
  role: string;
  stationCode: string | null;
  regionCode: string | null;
  provinceCode: string | null;
  disabled: boolean;
  locked: boolean;
}

const ROLES = ['station', 'reviewer', 'production', 'manager', 'admin', 'police_post'] as const;

/** Console accounts: who may log in, with which role and where; create, disable or enable, reset a password. */
function Accounts() {
  const t = useT();
  const { message } = App.useApp();
  const accounts = usePaged<Account>('v1/users');
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<Account>();
  const [form] = Form.useForm();
  const role = Form.useWatch('role', form);
  const failed = (e: unknown) => void message.error(e instanceof ApiError ? problemText(t.lang, e.code, e.message) : t('error'));
  const act = (path: string, body: unknown = {}) => api.post(path, body).then(() => { void message.success(t('done')); accounts.reload(); }, failed);

  return (
    <Card title={t('admin_users')} extra={<Button type="primary" onClick={() => setCreating(true)} data-testid="new-user">{t('admin_newUser')}</Button>}>
      <PagedTable<Account>
        list={accounts}
        rowKey="id"
        columns={[
          { title: t('username'), dataIndex: 'username' },
          { title: t('name'), dataIndex: 'name' },
          { title: t('admin_role'), key: 'role', render: (_, row) => t(`role_${row.role}` as Parameters<typeof t>[0]) },
          { title: t('admin_place'), key: 'place', render: (_, row) => row.stationCode ?? row.regionCode ?? row.provinceCode ?? '—' },
          { title: t('admin_state'), key: 'state', render: (_, row) => (row.disabled ? <Tag>{t('admin_disabled')}</Tag> : row.locked ? <Tag color="orange">{t('admin_locked')}</Tag> : <Tag color="green">{t('admin_active')}</Tag>) },
          {
            title: '',
            key: 'actions',
            render: (_, row) => (
              <Space>
                {row.disabled ? (
                  <Button size="small" onClick={() => act(`v1/users/${row.id}/enable`)}>{t('admin_enable')}</Button>
                ) : (
                  <Button size="small" danger onClick={() => act(`v1/users/${row.id}/disable`)}>{t('admin_disable')}</Button>
                )}
                <Button size="small" onClick={() => setResetting(row)}>{t('admin_reset')}</Button>
              </Space>
            ),
          },
        ]}
      />
      <Modal title={t('admin_newUser')} open={creating} onCancel={() => setCreating(false)} onOk={() => form.submit()} okText={t('submit')} cancelText={t('cancel')} destroyOnHidden>
        <Form
          form={form}
          layout="vertical"
          initialValues={{ role: 'station' }}
          onFinish={(values: Record<string, string>) =>
            api.post('v1/users', Object.fromEntries(Object.entries(values).filter(([, value]) => value))).then(() => { setCreating(false); form.resetFields(); accounts.reload(); }, failed)}
        >
          <Form.Item label={t('username')} name="username" rules={[{ required: true, message: t('required') }]}><Input autoComplete="off" /></Form.Item>
          <Form.Item label={t('name')} name="name" rules={[{ required: true, message: t('required') }]}><Input autoComplete="off" /></Form.Item>
          <Form.Item label={t('admin_role')} name="role">
            <Select options={ROLES.map((value) => ({ value, label: t(`role_${value}`) }))} />
          </Form.Item>
          {role === 'station' && <Form.Item label={t('admin_stationCode')} name="stationCode" rules={[{ required: true, message: t('required') }]}><Input /></Form.Item>}
          {['reviewer', 'manager', 'police_post'].includes(role) && (
            <Form.Item label={t('admin_regionCode')} name="regionCode" rules={[{ required: role !== 'manager', message: t('required') }]}><Input maxLength={6} /></Form.Item>
          )}
          {role === 'production' && <Form.Item label={t('admin_provinceCode')} name="provinceCode" rules={[{ required: true, message: t('required') }]}><Input maxLength={6} /></Form.Item>}
          <Form.Item label={t('password')} name="password" rules={[{ required: true, min: 12, message: t('admin_passwordRule') }]}><Input.Password autoComplete="new-password" /></Form.Item>
        </Form>
      </Modal>
      <Modal title={`${t('admin_reset')} · ${resetting?.username ?? ''}`} open={resetting !== undefined} footer={null} onCancel={() => setResetting(undefined)} destroyOnHidden>
        <Form layout="vertical" onFinish={({ password }: { password: string }) => act(`v1/users/${resetting!.id}/password`, { password }).then(() => setResetting(undefined))}>
          <Form.Item label={t('password')} name="password" rules={[{ required: true, min: 12, message: t('admin_passwordRule') }]}><Input.Password autoComplete="new-password" /></Form.Item>
          <Button type="primary" htmlType="submit">{t('submit')}</Button>
        </Form>
      </Modal>
    </Card>
  );
}

/** Applications that no workflow carries any more. */
function StuckList() {
  const t = useT();
  const list = usePaged<Stuck>('v1/stuck-applications');
  return (
    <PagedTable<Stuck>
      list={list}
      rowKey="applicationId"
      columns={[
        { title: t('receiptNumber'), key: 'id', render: (_, row) => row.applicationId.slice(0, 8) },
        { title: t('stage'), key: 'stage', render: (_, row) => <StageTag stage={row.stage} /> },
        { title: t('reason'), dataIndex: 'reason' },
        { title: t('admin_stuckSince'), key: 'since', render: (_, row) => formatDateTime(row.stuckSince, t.lang) },
      ]}
    />
  );
}

export default function AdminHome({ user }: { user: SessionUser }) {
  const t = useT();
  return (
    <>
      <Typography.Title level={3}>{t('admin_home')}</Typography.Title>
      <Tabs
        items={[
          { key: 'users', label: t('admin_users'), children: <Accounts /> },
          { key: 'stuck', label: t('admin_stuck'), children: <StuckList /> },
          { key: 'blacklist', label: t('blacklist'), children: <BlacklistPanel user={user} /> },
          { key: 'impersonation', label: t('impersonation'), children: <ImpersonationPanel /> },
        ]}
      />
    </>
  );
}
