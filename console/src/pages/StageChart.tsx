import { BarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

// Only what this chart uses: the whole of ECharts would triple the manager's page.
echarts.use([BarChart, GridComponent, TooltipComponent, CanvasRenderer]);

/** The stage funnel as bars: how many open applications wait at each stage. */
export default function StageChart({ labels, values, label }: { labels: string[]; values: number[]; label: string }) {
  const element = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const chart = echarts.init(element.current!);
    chart.setOption({
      animation: false,
      grid: { left: 40, right: 16, top: 16, bottom: 32 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: labels },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ type: 'bar', data: values, itemStyle: { color: '#1f4e9c' }, barMaxWidth: 48 }],
    });
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [labels, values]);
  return <div ref={element} role="img" aria-label={label} style={{ width: '100%', height: 240 }} data-testid="stage-chart" />;
}
