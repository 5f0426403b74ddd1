import { Alert, Button, Checkbox, Form, Input, Modal, Segmented, Space, Tag, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { api, ApiError } from '../api';
import { formatDate, formatDateTime, problemText, useT, type MessageKey } from '../i18n';
import { FormDialog } from './FormDialog';
import { PagedTable, usePaged } from './PagedTable';

/** What every record of a station's (a loss report, a found card) is about: a person and one of their cards. */
interface StationRecord {
  person: { name: string | null; idNumber: string; idNumberMasked: boolean };
  cardValidFrom: string;
}

/** A loss report as `GET /v1/loss-reports` lists it (api/lossReports/routes.ts). */
interface LossReportRow extends StationRecord {
  lossReportId: string;
  reportedAt: string;
  state: 'OPEN' | 'WITHDRAWN';
  circumstance: 'lost' | 'stolen';
  withdrawnAt: string | null;
}

/** A found card as `GET /v1/found-cards` lists it (api/foundCards/routes.ts). */
interface FoundCardRow extends StationRecord {
  foundCardId: string;
  handedInAt: string;
  state: 'HELD' | 'RETURNED' | 'DESTROYED';
  disposition: 'HOLD_FOR_OWNER' | 'DESTROY';
  closedAt: string | null;
}

/** A calendar date as the API gives it (YYYY-MM-DD), in the console's format. */
const calendarDate = (date: string, lang: 'zh' | 'en') => formatDate(`${date}T00:00:00+08:00`, lang);

/** The first columns of both lists: the person, and which of their cards. */
function recordColumns<Row extends StationRecord>(t: ReturnType<typeof useT>): TableColumnsType<Row> {
  return [
    { title: t('name'), key: 'name', render: (_, row) => row.person.name ?? '—' },
    { title: t('idNumber'), key: 'idNumber', render: (_, row) => row.person.idNumber },
    { title: t('cardValidFrom'), key: 'validFrom', render: (_, row) => calendarDate(row.cardValidFrom, t.lang) },
  ];
}

/** Which of its records a list shows, by state. */
function StateFilter<S extends string>({ value, onChange, options }: { value: S; onChange: (state: S) => void; options: { value: S; label: string }[] }) {
  return <Segmented style={{ marginBottom: 12 }} value={value} onChange={(chosen) => onChange(chosen as S)} options={options} />;
}

/**
 * The loss reports taken at this station's counter, newest first, by state; an open one is withdrawn
 * (解除挂失) with the person present, which the clerk confirms, and an optional reason. The API's
 * refusal (another county's report, a replacement issued…) stays in the dialog, in the console's language.
 */
export function LossReportList() {
  const t = useT();
  const [state, setState] = useState<'all' | 'open' | 'withdrawn'>('all');
  const list = usePaged<LossReportRow>(`v1/loss-reports?state=${state}`);
  const [withdrawing, setWithdrawing] = useState<LossReportRow>();
  return (
    <div data-testid="loss-reports">
      <StateFilter
        value={state}
        onChange={setState}
        options={[
          { value: 'all', label: t('records_all') },
          { value: 'open', label: t('lossState_OPEN') },
          { value: 'withdrawn', label: t('lossState_WITHDRAWN') },
        ]}
      />
      <PagedTable<LossReportRow>
        list={list}
        rowKey="lossReportId"
        columns={[
          ...recordColumns<LossReportRow>(t),
          { title: t('loss_circumstance'), key: 'circumstance', render: (_, row) => t(row.circumstance === 'stolen' ? 'loss_stolen' : 'loss_lost') },
          { title: t('loss_reportedAt'), key: 'reportedAt', render: (_, row) => formatDateTime(row.reportedAt, t.lang) },
          {
            title: t('records_state'),
            key: 'state',
            render: (_, row) =>
              row.state === 'OPEN' ? <Tag color="red">{t('lossState_OPEN')}</Tag> : <Tag>{`${t('lossState_WITHDRAWN')} ${formatDateTime(row.withdrawnAt, t.lang)}`}</Tag>,
          },
          {
            title: '',
            key: 'action',
            render: (_, row) =>
              row.state === 'OPEN' ? (
                <Button size="small" onClick={() => setWithdrawing(row)}>{t('loss_withdraw')}</Button>
              ) : null,
          },
        ]}
      />
      <FormDialog<{ present: boolean; reason?: string }>
        title={`${t('loss_withdraw')} · ${withdrawing?.person.name ?? ''}`}
        open={!!withdrawing}
        onClose={() => setWithdrawing(undefined)}
        testId="loss-withdraw-dialog"
        onSubmit={(values) =>
          api.post(`v1/loss-reports/${withdrawing!.lossReportId}/withdraw`, values.reason?.trim() ? { reason: values.reason.trim() } : {}).then(list.reload)
        }
      >
        <Form.Item
          name="present"
          valuePropName="checked"
          rules={[{ validator: async (_: unknown, value?: boolean) => { if (!value) throw new Error(t('loss_presentRequired')); } }]}
        >
          <Checkbox>{t('loss_present')}</Checkbox>
        </Form.Item>
        <Form.Item label={t('loss_withdrawReason')} name="reason"><Input.TextArea rows={2} maxLength={500} /></Form.Item>
      </FormDialog>
    </div>
  );
}

/**
 * The cards handed in at this station, those held by default, newest first: each held card is given
 * back to its owner or destroyed as its disposition says (the API refuses the other, and says why).
 */
export function FoundCardList() {
  const t = useT();
  const [state, setState] = useState<'HELD' | 'all'>('HELD');
  const list = usePaged<FoundCardRow>(`v1/found-cards?state=${state}`);
  const [closing, setClosing] = useState<{ row: FoundCardRow; outcome: 'return' | 'destroy' }>();
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const close = () => {
    setClosing(undefined);
    setProblem(undefined);
  };
  const confirm = () => {
    if (!closing) return;
    setBusy(true);
    api
      .post(`v1/found-cards/${closing.row.foundCardId}/${closing.outcome}`, {})
      .then(
        () => {
          close();
          list.reload();
        },
        (e: unknown) => setProblem(e instanceof ApiError ? problemText(t.lang, e.code, e.message) : t('error')),
      )
      .finally(() => setBusy(false));
  };
  return (
    <div data-testid="found-cards">
      <StateFilter
        value={state}
        onChange={setState}
        options={[
          { value: 'HELD', label: t('foundState_HELD') },
          { value: 'all', label: t('records_all') },
        ]}
      />
      <PagedTable<FoundCardRow>
        list={list}
        rowKey="foundCardId"
        columns={[
          ...recordColumns<FoundCardRow>(t),
          { title: t('found_handedInAt'), key: 'handedInAt', render: (_, row) => formatDateTime(row.handedInAt, t.lang) },
          {
            title: t('found_disposition'),
            key: 'disposition',
            render: (_, row) => <Tag color={row.disposition === 'DESTROY' ? 'volcano' : 'blue'}>{t(`found_disposition_${row.disposition}` as MessageKey)}</Tag>,
          },
          {
            title: t('records_state'),
            key: 'state',
            render: (_, row) => <Tag>{`${t(`foundState_${row.state}` as MessageKey)}${row.closedAt ? ` ${formatDateTime(row.closedAt, t.lang)}` : ''}`}</Tag>,
          },
          {
            title: '',
            key: 'action',
            render: (_, row) =>
              row.state !== 'HELD' ? null : row.disposition === 'DESTROY' ? (
                <Button size="small" danger onClick={() => setClosing({ row, outcome: 'destroy' })}>{t('found_destroyAction')}</Button>
              ) : (
                <Button size="small" onClick={() => setClosing({ row, outcome: 'return' })}>{t('found_returnAction')}</Button>
              ),
          },
        ]}
      />
      <Modal
        title={closing ? `${t(closing.outcome === 'destroy' ? 'found_destroyAction' : 'found_returnAction')} · ${closing.row.person.name ?? ''}` : ''}
        open={!!closing}
        onCancel={close}
        onOk={confirm}
        okText={t('confirm')}
        cancelText={t('cancel')}
        okButtonProps={{ loading: busy, danger: closing?.outcome === 'destroy' }}
        destroyOnHidden
        data-testid="found-close-dialog"
      >
        {problem && <Alert type="error" showIcon title={problem} style={{ marginBottom: 12 }} data-testid="found-close-dialog-problem" />}
        <Space orientation="vertical">
          <span>{closing && `${closing.row.person.idNumber} · ${calendarDate(closing.row.cardValidFrom, t.lang)}`}</span>
          <span>{t(closing?.outcome === 'destroy' ? 'found_destroyHint' : 'found_returnHint')}</span>
        </Space>
      </Modal>
    </div>
  );
}
