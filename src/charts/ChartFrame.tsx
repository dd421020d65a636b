/** A titled chart with its explanation and a button to save it as a PNG image. */
import { useRef, type ReactNode } from 'react';
import { downloadBlob } from '../widgets/download.ts';

async function svgToPng(svg: SVGSVGElement): Promise<Blob> {
  const { width, height } = svg.getBoundingClientRect();
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  const text = new XMLSerializer().serializeToString(clone);
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    await new Promise<void>((resolve, reject) => {
      image.onload = () => resolve();
      image.onerror = () => reject(new Error('the chart could not be drawn as an image'));
      image.src = url;
    });
    const scale = 2;
    const canvas = document.createElement('canvas');
    canvas.width = Math.ceil(width * scale);
    canvas.height = Math.ceil(height * scale);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2D canvas');
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.scale(scale, scale);
    context.drawImage(image, 0, 0, width, height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}

export function ChartFrame({
  id,
  title,
  help,
  children,
}: {
  id: string;
  title: string;
  help: ReactNode;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const save = async () => {
    const svg = ref.current?.querySelector('svg.recharts-surface');
    if (svg instanceof SVGSVGElement) downloadBlob(await svgToPng(svg), `gradient-lab-${id}.png`);
  };
  return (
    <section className="chart" aria-labelledby={`${id}-title`} data-chart={id}>
      <header className="chart-head">
        <h3 id={`${id}-title`}>{title}</h3>
        <button
          type="button"
          className="small"
          onClick={() => void save()}
          aria-label={`Save the chart "${title}" as a PNG image`}
        >
          PNG
        </button>
      </header>
      <div ref={ref} className="chart-body">
        {children}
      </div>
      <p className="help">{help}</p>
    </section>
  );
}
