/** The progress list of the asked steps; a flow of one step shows none. */
export function StepIndicator({ steps, current }: { steps: { id: string; label: string }[]; current: number }) {
  if (steps.length < 2) return null;
  return (
    <ol className="mb-6 flex gap-2 text-sm" aria-label="Progress">
      {steps.map((step, index) => (
        <li
          key={step.id}
          aria-current={index === current ? 'step' : undefined}
          className={index === current ? 'font-semibold text-indigo-800' : 'text-slate-600'}
        >
          {index + 1}. {step.label}
          {index < steps.length - 1 && <span aria-hidden="true"> →</span>}
        </li>
      ))}
    </ol>
  );
}
