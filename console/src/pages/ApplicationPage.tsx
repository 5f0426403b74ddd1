import { Alert, App, Button, Card, Checkbox, DatePicker, Descriptions, Form, Input, InputNumber, List, Result, Space, Spin, Tag, Timeline, Typography } from 'antd';
import { useCallback, useEffect, useState, type ReactElement } from 'react';
import { canTake, isTerminal, type ApplicationStage } from '../../../domain/applicationStages';
import { MAX_EXTENSION_DAYS } from '../../../domain/deadlines';
import { api, ApiError, type Application, type SessionUser } from '../api';
import { formatDate, formatDateTime, problemText, useT } from '../i18n';
import { go } from '../route';
import { DaysLeft, StageTag } from './ApplicationTable';

type Step = { path: string; body: unknown };

/** A step that needs a reason: a button that opens a small form, so nothing is sent by a stray click. */
function ReasonStep({ label, reasonLabel, testId, danger = false, onReason }: { label: string; reasonLabel: string; testId: string; danger?: boolean; onReason: (reason: string) => Promise<void> }) {
  const t = useT();
  const [open, setOpen] = useState(false);
  if (!open) return <Button danger={danger} onClick={() => setOpen(true)} data-testid={testId}>{label}</Button>;
  return (
    <Form layout="vertical" onFinish={({ reason }: { reason: string }) => onReason(reason.trim())} data-testid={`${testId}-form`}>
      <Form.Item label={reasonLabel} name="reason" rules={[{ required: true, whitespace: true, message: t('required') }]}>
        <Input.TextArea rows={2} maxLength={500} />
      </Form.Item>
      <Space>
        <Button danger={danger} type="primary" htmlType="submit">{label}</Button>
        <Button onClick={() => setOpen(false)}>{t('cancel')}</Button>
      </Space>
    </Form>
  );
}

/** The home region's steps besides the review: the one extension (before the card is ready), and the temporary card. */
function ReviewerSteps({ application, take, extendable, issuable }: { application: Application; take: (step: Step) => Promise<void>; extendable: boolean; issuable: boolean }) {
  const t = useT();
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      {extendable && (
        <Form layout="inline" onFinish={({ days, reason }: { days: number; reason: string }) => take({ path: 'extend', body: { days, reason: reason.trim() } })} data-testid="extend-form">
          <Form.Item label={t('extensionDays')} name="days" rules={[{ required: true, message: t('extensionDaysRule') }]}>
            <InputNumber min={1} max={MAX_EXTENSION_DAYS} precision={0} style={{ width: 100 }} />
          </Form.Item>
          <Form.Item label={t('extensionReason')} name="reason" rules={[{ required: true, whitespace: true, message: t('required') }]}>
            <Input style={{ width: 280 }} maxLength={500} />
          </Form.Item>
          <Button htmlType="submit" data-testid="extend">{t('extend')}</Button>
        </Form>
      )}
      {issuable && application.temporaryCard && (
        <Button onClick={() => take({ path: 'temporary-card-issued', body: {} })} data-testid="temporary-card-issued">{t('temporaryCardIssue')}</Button>
      )}
    </Space>
  );
}

/** The steps this viewer may take on this application now: the API decides, the page offers no other. */
function Actions({ user, application, take }: { user: SessionUser; application: Application; take: (step: Step) => Promise<void> }) {
  const t = useT();
  const [refusing, setRefusing] = useState(false);
  const stage = application.stage as ApplicationStage;
  const ownStation = user.role === 'station' && user.stationCode === application.acceptingStationCode;
  const parts: ReactElement[] = [];

  if (user.role === 'reviewer' && canTake('review', stage)) {
    parts.push(
      <Space key="review" orientation="vertical" style={{ width: '100%' }}>
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
      </Space>,
    );
  }
  if (user.role === 'reviewer') {
    // The workflow extends once, before the card is ready; it issues a requested temporary card once.
    const extendable = !isTerminal(stage) && stage !== 'READY_FOR_PICKUP' && !application.extension;
    const issuable = !isTerminal(stage) && Boolean(application.temporaryCard && !application.temporaryCard.issuedAt);
    if (extendable || issuable) parts.push(<ReviewerSteps key="reviewer" application={application} take={take} extendable={extendable} issuable={issuable} />);
  }
  if (user.role === 'production' && canTake('printed', stage)) {
    parts.push(
      <Space key="production" orientation="vertical" style={{ width: '100%' }}>
        {/* Dates left empty are set by the API under the law (from today, for the holder's age); the case file shows them after. */}
        <Form layout="inline" onFinish={({ validFrom, validUntil }: { validFrom?: { format(f: string): string }; validUntil?: { format(f: string): string } }) =>
          take({ path: 'printed', body: { ...(validFrom ? { validFrom: validFrom.format('YYYY-MM-DD') } : {}), ...(validUntil ? { validUntil: validUntil.format('YYYY-MM-DD') } : {}) } })}>
          <Form.Item label={t('validFrom')} name="validFrom">
            <DatePicker />
          </Form.Item>
          <Form.Item label={t('validUntil')} name="validUntil">
            <DatePicker />
          </Form.Item>
          <Button type="primary" htmlType="submit" data-testid="printed">{t('printed')}</Button>
        </Form>
        <ReasonStep label={t('printFailed')} reasonLabel={t('printFailedReason')} testId="print-failed" danger onReason={(reason) => take({ path: 'print-failed', body: { reason } })} />
        <Form layout="inline" onFinish={({ trackingNumber }: { trackingNumber: string }) => take({ path: 'dispatched', body: { trackingNumber } })}>
          <Form.Item label={t('trackingNumber')} name="trackingNumber" rules={[{ required: true, whitespace: true, message: t('required') }]}>
            <Input />
          </Form.Item>
          <Button htmlType="submit" data-testid="dispatched">{t('dispatched')}</Button>
        </Form>
      </Space>,
    );
  }
  if (ownStation && canTake('arrived', stage)) {
    parts.push(<Button key="arrived" type="primary" onClick={() => take({ path: 'arrived', body: {} })} data-testid="arrived">{t('arrived')}</Button>);
  }
  if (ownStation && canTake('pickedUp', stage)) {
    const temporaryCardOut = Boolean(application.temporaryCard?.issuedAt);
    parts.push(
      <Form key="pickup" layout="inline" initialValues={{ oldCardReturned: true, temporaryCardReturned: false }}
        onFinish={({ oldCardReturned, temporaryCardReturned }: { oldCardReturned: boolean; temporaryCardReturned: boolean }) =>
          take({ path: 'picked-up', body: temporaryCardOut ? { oldCardReturned, temporaryCardReturned } : { oldCardReturned } })}>
        <Form.Item name="oldCardReturned" valuePropName="checked">
          <Checkbox>{t('oldCardReturned')}</Checkbox>
        </Form.Item>
        {temporaryCardOut && (
          <Form.Item name="temporaryCardReturned" valuePropName="checked">
            <Checkbox>{t('temporaryCardReturned')}</Checkbox>
          </Form.Item>
        )}
        <Button type="primary" htmlType="submit" data-testid="picked-up">{t('pickedUp')}</Button>
      </Form>,
    );
  }
  if (ownStation && canTake('withdraw', stage)) {
    parts.push(<ReasonStep key="withdraw" label={t('withdraw')} reasonLabel={t('withdrawReason')} testId="withdraw" danger onReason={(reason) => take({ path: 'withdraw', body: { reason } })} />);
  }
  if (parts.length === 0) return <Typography.Text type="secondary">{t('noActions')}</Typography.Text>;
  return <Space orientation="vertical" size="middle" style={{ width: '100%' }}>{parts}</Space>;
}

/** What happened to the application beyond its stages: the extension, the temporary card, reprints, withdrawal. */
function particulars(application: Application, t: ReturnType<typeof useT>): ReactElement[] {
  const items: ReactElement[] = [];
  const card = application.temporaryCard;
  const failures = application.printFailureReasons ?? [];
  if (application.extension) {
    items.push(
      <Descriptions.Item key="extension" label={t('extension')}>
        <span data-testid="extension">{t('extensionValue', { n: application.extension.days })}{application.extension.reason ? ` · ${application.extension.reason}` : ''}</span>
      </Descriptions.Item>,
    );
  }
  if (card) {
    items.push(
      <Descriptions.Item key="temporaryCard" label={t('temporaryCard')}>
        <span data-testid="temporary-card">
          {card.issuedAt ? (
            <Tag color="green">{t('temporaryCardIssuedAt', { at: formatDateTime(card.issuedAt, t.lang) })}</Tag>
          ) : (
            <Tag color={card.overdue ? 'red' : 'orange'}>{t(card.overdue ? 'temporaryCardOverdue' : 'temporaryCardDue', { at: formatDateTime(card.dueAt, t.lang) })}</Tag>
          )}
        </span>
      </Descriptions.Item>,
    );
  }
  if (failures.length > 0) {
    items.push(
      <Descriptions.Item key="reprints" label={t('reprints')} span={2}>
        <List
          size="small"
          data-testid="print-failures"
          dataSource={failures}
          renderItem={(failure) => (
            <List.Item>
              {t('reprintAttempt', { n: failure.attempt ?? '—' })} · {formatDateTime(failure.at, t.lang)}{failure.reason ? ` · ${failure.reason}` : ''}
            </List.Item>
          )}
        />
      </Descriptions.Item>,
    );
  }
  if (application.withdrawalReason) {
    items.push(<Descriptions.Item key="withdrawal" label={t('withdrawReason')}><span data-testid="withdrawal-reason">{application.withdrawalReason}</span></Descriptions.Item>);
  }
  return items;
}

/** One application: the person, the stage timeline with who and when, the deadline, and the viewer's actions. */
export default function ApplicationPage({ id, user }: { id: string; user: SessionUser }) {
  const t = useT();
  const { message } = App.useApp();
  const [application, setApplication] = useState<Application | null>();
  const [problem, setProblem] = useState<string>();
  const load = useCallback(() => {
    api.get<Application>(`v1/applications/${encodeURIComponent(id)}`).then(setApplication, () => setApplication(null));
  }, [id]);
  useEffect(load, [load]);

  const take = async (step: Step) => {
    try {
      setApplication(await api.post<Application>(`v1/applications/${encodeURIComponent(id)}/${step.path}`, step.body));
      setProblem(undefined);
      void message.success(t('done'));
    } catch (e) {
      // Kept on the page (not only a toast): the clerk reads why, in the console's language, and what the case is now.
      setProblem(e instanceof ApiError ? problemText(t.lang, e.code, e.message) : t('error'));
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
          {particulars(application, t)}
        </Descriptions>
      </Card>
      <Card title={t('actions')}>
        {problem && <Alert type="error" showIcon title={problem} style={{ marginBottom: 12 }} data-testid="step-problem" />}
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
