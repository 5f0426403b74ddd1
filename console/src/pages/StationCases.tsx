import { Button, Space, Statistic, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { api } from '../api';
import { useT } from '../i18n';
import { go } from '../route';
import { ApplicationTable } from './ApplicationTable';
import type { StationFigures } from './ManagerHome';

/** A manager's drill-down: one station's figures and its open cases not yet ready for pickup, the overdue first. */
export default function StationCases({ code }: { code: string }) {
  const t = useT();
  const [station, setStation] = useState<StationFigures>();
  useEffect(() => {
    api.get<{ byStation: StationFigures[] }>(`v1/stats?stationCode=${encodeURIComponent(code)}`).then((stats) => setStation(stats.byStation[0]), () => setStation(undefined));
  }, [code]);
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Button onClick={() => go()}>{t('back')}</Button>
      <Typography.Title level={3} data-testid="station-title">{station?.station.name ?? code}</Typography.Title>
      <Space size="large">
        <Statistic title={t('manager_open')} value={station?.open ?? '—'} />
        <Statistic title={t('overdue')} value={station?.overdue ?? '—'} valueStyle={{ color: station?.overdue ? '#cf1322' : undefined }} />
      </Space>
      <Typography.Title level={4}>{t('manager_stationCases')}</Typography.Title>
      <ApplicationTable path={`v1/stats/stations/${encodeURIComponent(code)}/open-applications`} testId="station-cases" />
    </Space>
  );
}
