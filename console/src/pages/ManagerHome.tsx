import { Card, Col, Row, Statistic, Tabs, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { api } from '../api';
import { useT } from '../i18n';
import { ApplicationTable } from './ApplicationTable';
import StageChart from './StageChart';

interface Stats {
  countsByStage: Record<string, number>;
  onTimeRate: number | null;
}

const FUNNEL = ['HOME_REVIEW', 'PRINTING', 'SHIPPING', 'READY_FOR_PICKUP', 'COMPLETED'] as const;

/** The manager's dashboard: the stage funnel as counts, the on-time rate, and the overdue cases most overdue first. */
export default function ManagerHome() {
  const t = useT();
  const [stats, setStats] = useState<Stats>();
  useEffect(() => {
    api.get<Stats>('v1/stats').then(setStats, () => setStats(undefined));
  }, []);
  const labels = useMemo(() => FUNNEL.map((stage) => t(`stage_${stage}`)), [t.lang]);
  const values = useMemo(() => FUNNEL.map((stage) => stats?.countsByStage[stage] ?? 0), [stats]);
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
            <Statistic title={t('manager_onTime')} value={stats?.onTimeRate == null ? '—' : `${Math.round(stats.onTimeRate * 1000) / 10}%`} />
          </Card>
        </Col>
      </Row>
      {stats && (
        <Card size="small" style={{ marginBottom: 24 }}>
          <StageChart labels={labels} values={values} label={t('manager_stages')} />
        </Card>
      )}
      <Tabs
        items={[
          { key: 'overdue', label: t('manager_overdue'), children: <ApplicationTable path="v1/overdue" testId="manager-overdue" showStation /> },
          { key: 'due', label: t('manager_due'), children: <ApplicationTable path="v1/worklists/due" testId="manager-due" showStation /> },
        ]}
      />
    </>
  );
}
