import { Card, Col, Row, Statistic, Table, Tabs, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { overseesRegion } from '../../../domain/authority';
import { api, type SessionUser } from '../api';
import { formatDate, useT } from '../i18n';
import { go } from '../route';
import { ApplicationTable } from './ApplicationTable';
import { BlacklistPanel, ImpersonationPanel } from './Blacklist';
import StageChart from './StageChart';
import { DaysLeftChart, OnTimeChart } from './TrendCharts';

export interface StationFigures {
  station: { code: string; name: string; regionCode: string };
  open: number;
  overdue: number;
  onTimeRate: number | null;
}

interface Stats {
  countsByStage: Record<string, number>;
  onTimeRate: number | null;
  byStation: StationFigures[];
}

interface Weekly {
  weeks: Array<{ weekStart: string; finished: number; onTime: number; onTimeRate: number | null }>;
}

interface DaysLeft {
  open: number;
  buckets: Array<{ minDays: number | null; maxDays: number | null; count: number }>;
}

const FUNNEL = ['HOME_REVIEW', 'PRINTING', 'SHIPPING', 'READY_FOR_PICKUP', 'COMPLETED'] as const;
const percent = (rate: number | null | undefined) => (rate == null ? '—' : `${Math.round(rate * 1000) / 10}%`);

/**
 * The manager's dashboard: the stage funnel, the on-time rate week by week, open cases by days left,
 * each station's open and overdue cases (a click opens the station's cases), and the overdue and
 * due-soon lists.
 */
export default function ManagerHome({ user }: { user: SessionUser }) {
  const t = useT();
  const [stats, setStats] = useState<Stats>();
  const [weekly, setWeekly] = useState<Weekly>();
  const [daysLeft, setDaysLeft] = useState<DaysLeft>();
  useEffect(() => {
    api.get<Stats>('v1/stats').then(setStats, () => setStats(undefined));
    api.get<Weekly>('v1/stats/on-time-by-week?weeks=12').then(setWeekly, () => setWeekly(undefined));
    api.get<DaysLeft>('v1/stats/days-remaining').then(setDaysLeft, () => setDaysLeft(undefined));
  }, []);
  const labels = useMemo(() => FUNNEL.map((stage) => t(`stage_${stage}`)), [t.lang]);
  const values = useMemo(() => FUNNEL.map((stage) => stats?.countsByStage[stage] ?? 0), [stats]);
  const weekLabels = useMemo(() => (weekly?.weeks ?? []).map((week) => formatDate(`${week.weekStart}T00:00:00+08:00`, t.lang).slice(5)), [weekly, t.lang]);
  const weekRates = useMemo(() => (weekly?.weeks ?? []).map((week) => (week.onTimeRate == null ? null : Math.round(week.onTimeRate * 1000) / 10)), [weekly]);
  const bucketLabels = useMemo(
    () => (daysLeft?.buckets ?? []).map((bucket) => (bucket.minDays === null ? t('overdue') : bucket.maxDays === null ? t('manager_daysOver', { n: bucket.minDays - 1 }) : t('manager_daysRange', { from: bucket.minDays, to: bucket.maxDays }))),
    [daysLeft, t.lang],
  );
  const bucketCounts = useMemo(() => (daysLeft?.buckets ?? []).map((bucket) => bucket.count), [daysLeft]);
  // A station outside the manager's region shows (it took the region's residents) but opens nothing: its cases are another region's to manage.
  const mayOpen = (row: StationFigures) => overseesRegion(user, row.station.regionCode);
  const stations = useMemo(() => [...(stats?.byStation ?? [])].filter((row) => row.open > 0).sort((a, b) => b.overdue - a.overdue || b.open - a.open), [stats]);

  return (
    <>
      <Typography.Title level={3}>{t('manager_stages')}</Typography.Title>
      <Row gutter={12} style={{ marginBottom: 24 }}>
        {FUNNEL.map((stage) => (
          <Col key={stage} flex={1}>
            <Card size="small">
              <Statistic title={t(`stage_${stage}`)} value={stats?.countsByStage[stage] ?? '—'} />
            </Card>
          </Col>
        ))}
        <Col flex={1}>
          <Card size="small">
            <Statistic title={t('manager_onTime')} value={percent(stats?.onTimeRate)} />
          </Card>
        </Col>
      </Row>
      <Row gutter={[16, 16]} style={{ marginBottom: 24 }}>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('manager_stages')}>
            {stats && <StageChart labels={labels} values={values} label={t('manager_stages')} />}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('manager_onTimeWeekly')}>
            {weekly && <OnTimeChart weeks={weekLabels} values={weekRates} label={t('manager_onTimeWeekly')} />}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('manager_daysLeft')} extra={daysLeft ? t('manager_openCount', { n: daysLeft.open }) : null}>
            {daysLeft && <DaysLeftChart buckets={bucketLabels} counts={bucketCounts} label={t('manager_daysLeft')} />}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('manager_byStation')}>
            <Table<StationFigures>
              data-testid="manager-stations"
              rowKey={(row) => row.station.code}
              size="small"
              dataSource={stations}
              pagination={{ pageSize: 6, hideOnSinglePage: true }}
              locale={{ emptyText: t('none') }}
              onRow={(row) => (mayOpen(row) ? { onClick: () => go('stations', row.station.code), style: { cursor: 'pointer' } } : {})}
              columns={[
                { title: t('pickupStation'), key: 'name', render: (_, row) => (mayOpen(row) ? <a href={`#/stations/${encodeURIComponent(row.station.code)}`}>{row.station.name}</a> : row.station.name) },
                { title: t('manager_open'), dataIndex: 'open', align: 'right' },
                { title: t('overdue'), dataIndex: 'overdue', align: 'right', render: (value: number) => <span style={{ color: value ? '#cf1322' : undefined }}>{value}</span> },
                { title: t('manager_onTime'), key: 'rate', align: 'right', render: (_, row) => percent(row.onTimeRate) },
              ]}
            />
          </Card>
        </Col>
      </Row>
      <Tabs
        items={[
          { key: 'overdue', label: t('manager_overdue'), children: <ApplicationTable path="v1/overdue" testId="manager-overdue" showStation /> },
          { key: 'due', label: t('manager_due'), children: <ApplicationTable path="v1/worklists/due" testId="manager-due" showStation /> },
          { key: 'blacklist', label: t('blacklist'), children: <BlacklistPanel user={user} /> },
          { key: 'impersonation', label: t('impersonation'), children: <ImpersonationPanel /> },
        ]}
      />
    </>
  );
}
