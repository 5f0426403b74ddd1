import { App, Button, Card, Checkbox, DatePicker, Descriptions, Form, Input, Result, Space, Spin, Timeline, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, type Application, type SessionUser } from '../api';
import { formatDate, formatDateTime, problemText, useT } from '../i18n';
import { go } from '../route';
import { DaysLeft, StageTag } from './ApplicationTable';

type Step = { path: string; body: unknown };

/** The steps this viewer may take on this application now: the API decides, the page offers no other. */
function Actions({ user, application, take }: { user: SessionUser; application: Application; take: (step: Step) => Promise<void> }) {
  const t = useT();
  const [refusing, setRefusing] = useState(false);
  const { stage } = application;
  const ownStation = user.role === 'station' && user.stationCode === application.acceptingStationCode;

  if (user.role === 'reviewer' && stage === 'HOME_REVIEW') {
    return (
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Space>
          <Button type="primary" onClick={() => take({ path: 'review', body: { decision: 'approve' } })} data-testid="approve">
            {t('approve')}
          </Button>
          <Button danger onClick={() => setRefusing(true)} data-testid="refuse">
            {t('refuse')}
          </Button>
        </Space>
        {refusing && (
          <Form layout="vertical" onFinish={({ reason }: { reason: string }) => take({ path: 'review', body: { decision: 'refuse', reason } })}>
            <Form.Item label={t('refuseReason')} name="reason" rules={[{ required: true, whitespace: true, message: t('required') }]}>
              <Input.TextArea rows={2} />
            </Form.Item>
            <Button danger htmlType="submit">{t('refuse')}</Button>
          </Form>
        )}
      </Space>
    );
  }
  if (user.role === 'production' && stage === 'PRINTING') {
    return (
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Form layout="inline" onFinish={({ validFrom, validUntil }: { validFrom: { format(f: string): string }; validUntil?: { format(f: string): string } }) =>
          take({ path: 'printed', body: { validFrom: validFrom.format('YYYY-MM-DD'), validUntil: validUntil ? validUntil.format('YYYY-MM-DD') : null } })}>
          <Form.Item label={t('validFrom')} name="validFrom" rules={[{ required: true, message: t('required') }]}>
            <DatePicker />
          </Form.Item>
          <Form.Item label={t('validUntil')} name="validUntil">
            <DatePicker />
          </Form.Item>
          <Button type="primary" htmlType="submit" data-testid="printed">{t('printed')}</Button>
        </Form>
        <Form layout="inline" onFinish={({ trackingNumber }: { trackingNumber: string }) => take({ path: 'dispatched', body: { trackingNumber } })}>
          <Form.Item label={t('trackingNumber')} name="trackingNumber" rules={[{ required: true, whitespace: true, message: t('required') }]}>
            <Input />
          </Form.Item>
          <Button htmlType="submit" data-testid="dispatched">{t('dispatched')}</Button>
        </Form>
      </Space>
    );
  }
  if (ownStation && stage === 'SHIPPING') {
    return <Button type="primary" onClick={() => take({ path: 'arrived', body: {} })} data-testid="arrived">{t('arrived')}</Button>;
  }
  if (ownStation && stage === 'READY_FOR_PICKUP') {
    return (
      <Form layout="inline" initialValues={{ oldCardReturned: true }} onFinish={({ oldCardReturned }: { oldCardReturned: boolean }) => take({ path: 'picked-up', body: { oldCardReturned } })}>
        <Form.Item name="oldCardReturned" valuePropName="checked">
          <Checkbox>{t('oldCardReturned')}</Checkbox>
        </Form.Item>
        <Button type="primary" htmlType="submit" data-testid="picked-up">{t('pickedUp')}</Button>
      </Form>
    );
  }
  return <Typography.Text type="secondary">{t('noActions')}</Typography.Text>;
}

/** One application: the person, the stage timeline with who and when, the deadline, and the viewer's actions. */
export default function ApplicationPage({ id, user }: { id: string; user: SessionUser }) {
  const t = useT();
  const { message } = App.useApp();
  const [application, setApplication] = useState<Application | null>();
  const load = useCallback(() => {
    api.get<Application>(`v1/applications/${encodeURIComponent(id)}`).then(setApplication, () => setApplication(null));
  }, [id]);
  useEffect(load, [load]);

  const take = async (step: Step) => {
    try {
      setApplication(await api.post<Application>(`v1/applications/${encodeURIComponent(id)}/${step.path}`, step.body));
      void message.success(t('done'));
    } catch (e) {
      void message.error(e instanceof ApiError ? problemText(t.lang, e.code, e.message) : t('error'));
      load();
    }
  };

  if (application === undefined) return <Spin />;
  if (application === null) return <Result status="404" title={t('notFound')} extra={<Button onClick={() => go()}>{t('back')}</Button>} data-testid="not-found" />;
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }} data-testid="application">
      <Space>
        <Button onClick={() => go()}>{t('back')}</Button>
        {user.role === 'station' && <Button onClick={() => go('receipt', application.applicationId)}>{t('printReceipt')}</Button>}
      </Space>
      <Card title={t('person')}>
        <Descriptions column={2}>
          <Descriptions.Item label={t('name')}><span data-testid="applicant-name">{application.person?.name ?? '—'}</span></Descriptions.Item>
          <Descriptions.Item label={t('idNumber')}>{application.person?.idNumber ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('receiptNumber')}>{application.receiptNumber ?? application.applicationId}</Descriptions.Item>
          <Descriptions.Item label={t('kind')}>{t(application.kind === 'replacement' ? 'kind_replacement' : 'kind_renewal')}</Descriptions.Item>
          <Descriptions.Item label={t('stage')}><span data-testid="stage"><StageTag stage={application.stage} /></span></Descriptions.Item>
          <Descriptions.Item label={t('deadline')}>
            <Space>{formatDate(application.deadlineAt, t.lang)}<DaysLeft application={application} /></Space>
          </Descriptions.Item>
          <Descriptions.Item label={t('pickupStation')}>{application.acceptingStation?.name ?? application.acceptingStationCode}</Descriptions.Item>
          <Descriptions.Item label={t('homeRegion')}>{application.homeRegion?.name ?? application.homeRegionCode}</Descriptions.Item>
          {application.refusalReason && <Descriptions.Item label={t('refuseReason')}>{application.refusalReason}</Descriptions.Item>}
        </Descriptions>
      </Card>
      <Card title={t('actions')}>
        <Actions user={user} application={application} take={take} />
      </Card>
      <Card title={t('timeline')}>
        <Timeline
          items={(application.history ?? []).map((entry) => ({
            content: (
              <span>
                <StageTag stage={entry.stage} /> {formatDateTime(entry.at, t.lang)}
                {entry.actedBy ? ` · ${t('by')} ${entry.actedBy.name}` : ''}
                {entry.note ? ` · ${entry.note}` : ''}
              </span>
            ),
          }))}
        />
      </Card>
    </Space>
  );
}
