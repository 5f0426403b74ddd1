import { Alert, Button, Form, Input, Segmented, Select, Space, Tag } from 'antd';
import { useState } from 'react';
import { BLACKLIST_CATEGORIES } from '../../../domain/blacklist';
import { api, type SessionUser } from '../api';
import { formatDateTime, useT, type MessageKey } from '../i18n';
import { FormDialog } from './FormDialog';
import { IdNumberItem } from './IdNumberItem';
import { PagedTable, usePaged } from './PagedTable';

interface Entry {
  blacklistEntryId: string;
  idNumber: string;
  category: string;
  source: string;
  note: string | null;
  addedAt: string;
  removedAt: string | null;
  removalReason: string | null;
  person: { name: string | null; homeRegionCode: string | null };
}

interface Report {
  impersonationReportId: string;
  unitId: string;
  idNumber: string;
  cardValidFrom: string | null;
  note: string | null;
  reportedAt: string;
  state: 'OPEN' | 'CONFIRMED' | 'DISMISSED';
  decidedAt: string | null;
  blacklistEntryId: string | null;
}

/**
 * The blacklist of dishonest persons within the viewer's jurisdiction: entries in force or removed,
 * adding one (managers and admins) and removing one with a reason (admins only, as the API allows).
 */
export function BlacklistPanel({ user }: { user: SessionUser }) {
  const t = useT();
  const [state, setState] = useState<'active' | 'removed'>('active');
  const list = usePaged<Entry>(`v1/blacklist?state=${state}`);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<Entry>();
  const category = (code: string) => t(`blacklist_${code}` as MessageKey);
  const categoryOptions = BLACKLIST_CATEGORIES.map((value) => ({ value, label: category(value) }));

  return (
    <div data-testid="blacklist">
      <Space style={{ marginBottom: 12, width: '100%', justifyContent: 'space-between' }}>
        <Segmented value={state} onChange={(value) => setState(value as 'active' | 'removed')} options={[{ value: 'active', label: t('blacklist_active') }, { value: 'removed', label: t('blacklist_removed') }]} />
        <Button type="primary" onClick={() => setAdding(true)} data-testid="blacklist-add">{t('blacklist_add')}</Button>
      </Space>
      <PagedTable<Entry>
        list={list}
        rowKey="blacklistEntryId"
        columns={[
          { title: t('name'), key: 'name', render: (_, row) => row.person.name ?? '—' },
          { title: t('idNumber'), dataIndex: 'idNumber' },
          { title: t('blacklist_category'), key: 'category', render: (_, row) => <Tag>{category(row.category)}</Tag> },
          { title: t('blacklist_source'), dataIndex: 'source' },
          { title: t('blacklist_note'), key: 'note', render: (_, row) => row.note ?? '—' },
          { title: t('blacklist_addedAt'), key: 'addedAt', render: (_, row) => formatDateTime(row.addedAt, t.lang) },
          ...(state === 'removed'
            ? [{ title: t('blacklist_removalReason'), key: 'removal', render: (_: unknown, row: Entry) => `${row.removalReason ?? ''} · ${formatDateTime(row.removedAt, t.lang)}` }]
            : user.role === 'admin'
              ? [{ title: '', key: 'remove', render: (_: unknown, row: Entry) => <Button size="small" danger onClick={() => setRemoving(row)}>{t('blacklist_remove')}</Button> }]
              : []),
        ]}
      />
      <FormDialog<{ idNumber: string; category: string; source: string; note?: string }>
        title={t('blacklist_add')}
        open={adding}
        testId="blacklist-add-dialog"
        onClose={() => setAdding(false)}
        onSubmit={(values) =>
          api.post('v1/blacklist', { idNumber: values.idNumber.trim().toUpperCase(), category: values.category, source: values.source.trim(), ...(values.note?.trim() ? { note: values.note.trim() } : {}) }).then(list.reload)}
      >
        <IdNumberItem />
        <Form.Item label={t('blacklist_category')} name="category" rules={[{ required: true, message: t('required') }]}><Select options={categoryOptions} /></Form.Item>
        <Form.Item label={t('blacklist_source')} name="source" rules={[{ required: true, whitespace: true, message: t('required') }]}><Input maxLength={200} /></Form.Item>
        <Form.Item label={t('blacklist_note')} name="note"><Input.TextArea rows={2} maxLength={1000} /></Form.Item>
      </FormDialog>
      <FormDialog<{ reason: string }>
        title={`${t('blacklist_remove')} · ${removing?.person.name ?? ''}`}
        open={removing !== undefined}
        testId="blacklist-remove-dialog"
        onClose={() => setRemoving(undefined)}
        onSubmit={({ reason }) => api.delete(`v1/blacklist/${removing!.blacklistEntryId}`, { reason: reason.trim() }).then(list.reload)}
      >
        <Form.Item label={t('blacklist_removalReason')} name="reason" rules={[{ required: true, whitespace: true, message: t('required') }]}><Input.TextArea rows={2} maxLength={500} /></Form.Item>
      </FormDialog>
    </div>
  );
}

/** Impersonation reported by card-using units: confirm one (the impersonator goes on the blacklist) or dismiss it with a reason. */
export function ImpersonationPanel() {
  const t = useT();
  const [state, setState] = useState<Report['state']>('OPEN');
  const list = usePaged<Report>(`v1/impersonation-reports?state=${state}`);
  const [confirming, setConfirming] = useState<Report>();
  const [dismissing, setDismissing] = useState<Report>();
  const categoryOptions = BLACKLIST_CATEGORIES.map((value) => ({ value, label: t(`blacklist_${value}` as MessageKey) }));
  const stateLabel = (value: Report['state']) => t(`report_${value}` as MessageKey);

  return (
    <div data-testid="impersonation-reports">
      <Segmented style={{ marginBottom: 12 }} value={state} onChange={(value) => setState(value as Report['state'])} options={(['OPEN', 'CONFIRMED', 'DISMISSED'] as const).map((value) => ({ value, label: stateLabel(value) }))} />
      <PagedTable<Report>
        list={list}
        rowKey="impersonationReportId"
        columns={[
          { title: t('report_reportedAt'), key: 'at', render: (_, row) => formatDateTime(row.reportedAt, t.lang) },
          { title: t('report_unit'), dataIndex: 'unitId' },
          { title: t('report_holder'), dataIndex: 'idNumber' },
          { title: t('blacklist_note'), key: 'note', render: (_, row) => row.note ?? '—' },
          { title: t('admin_state'), key: 'state', render: (_, row) => <Tag color={row.state === 'OPEN' ? 'orange' : row.state === 'CONFIRMED' ? 'red' : 'default'}>{stateLabel(row.state)}</Tag> },
          {
            title: '',
            key: 'actions',
            render: (_, row) =>
              row.state === 'OPEN' ? (
                <Space>
                  <Button size="small" danger onClick={() => setConfirming(row)}>{t('report_confirm')}</Button>
                  <Button size="small" onClick={() => setDismissing(row)}>{t('report_dismiss')}</Button>
                </Space>
              ) : (
                formatDateTime(row.decidedAt, t.lang)
              ),
          },
        ]}
      />
      <FormDialog<{ impersonatorIdNumber: string; category: string; note?: string }>
        title={t('report_confirm')}
        open={confirming !== undefined}
        testId="report-confirm-dialog"
        onClose={() => setConfirming(undefined)}
        onSubmit={(values) =>
          api
            .post(`v1/impersonation-reports/${confirming!.impersonationReportId}/confirm`, { impersonatorIdNumber: values.impersonatorIdNumber.trim().toUpperCase(), category: values.category, ...(values.note?.trim() ? { note: values.note.trim() } : {}) })
            .then(list.reload)}
      >
        <Alert type="info" title={t('report_confirmHint')} style={{ marginBottom: 12 }} />
        <IdNumberItem name="impersonatorIdNumber" label={t('report_impersonator')} />
        <Form.Item label={t('blacklist_category')} name="category" initialValue="IMPERSONATION"><Select options={categoryOptions} /></Form.Item>
        <Form.Item label={t('blacklist_note')} name="note"><Input.TextArea rows={2} maxLength={1000} /></Form.Item>
      </FormDialog>
      <FormDialog<{ reason: string }>
        title={t('report_dismiss')}
        open={dismissing !== undefined}
        testId="report-dismiss-dialog"
        onClose={() => setDismissing(undefined)}
        onSubmit={({ reason }) => api.post(`v1/impersonation-reports/${dismissing!.impersonationReportId}/dismiss`, { reason: reason.trim() }).then(list.reload)}
      >
        <Form.Item label={t('report_dismissReason')} name="reason" rules={[{ required: true, whitespace: true, message: t('required') }]}><Input.TextArea rows={2} maxLength={500} /></Form.Item>
      </FormDialog>
    </div>
  );
}
