import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

// Only what these charts use: the whole of ECharts would triple the manager's page.
echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, CanvasRenderer]);

type Option = Parameters<echarts.ECharts['setOption']>[0];

function Chart({ option, label, testId }: { option: Option; label: string; testId: string }) {
  const element = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const chart = echarts.init(element.current!);
    chart.setOption({ animation: false, grid: { left: 48, right: 16, top: 16, bottom: 32 }, tooltip: { trigger: 'axis' }, ...option });
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [option]);
  return <div ref={element} role="img" aria-label={label} style={{ width: '100%', height: 240 }} data-testid={testId} />;
}

/** The on-time rate week by week, in per cent; a week with nothing finished has no point. */
export function OnTimeChart({ weeks, values, label }: { weeks: string[]; values: Array<number | null>; label: string }) {
  const option: Option = {
    xAxis: { type: 'category', data: weeks },
    yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    series: [{ type: 'line', data: values, connectNulls: false, itemStyle: { color: '#1f4e9c' }, symbolSize: 8 }],
  };
  return <Chart option={option} label={label} testId="on-time-chart" />;
}

/** Open cases by days left to their deadline; the overdue bar in red. */
export function DaysLeftChart({ buckets, counts, label }: { buckets: string[]; counts: number[]; label: string }) {
  const option: Option = {
    xAxis: { type: 'category', data: buckets },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', barMaxWidth: 48, data: counts.map((value, index) => ({ value, itemStyle: { color: index === 0 ? '#cf1322' : '#1f4e9c' } })) }],
  };
  return <Chart option={option} label={label} testId="days-left-chart" />;
}
