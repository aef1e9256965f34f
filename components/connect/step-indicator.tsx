import type { StepId } from '@/lib/connect-flow/steps';
import type { Translator } from '@/lib/i18n/messages';

/** The progress list of the asked steps; a flow of one step shows none. */
export function StepIndicator({ t, steps, current }: { t: Translator; steps: { id: StepId }[]; current: number }) {
  if (steps.length < 2) return null;
  return (
    <ol className="mb-6 flex flex-wrap gap-2 text-sm" aria-label={t('steps.progress')}>
      {steps.map((step, index) => (
        <li
          key={step.id}
          aria-current={index === current ? 'step' : undefined}
          className={
            index === current
              ? 'font-semibold text-indigo-800 dark:text-indigo-300'
              : 'text-slate-600 dark:text-slate-300'
          }
        >
          {t('steps.item', { number: index + 1, label: t(`steps.${step.id}`) })}
          {index < steps.length - 1 && <span aria-hidden="true"> →</span>}
        </li>
      ))}
    </ol>
  );
}
