/** The languages shopper pages speak: English and Chinese. */
export type Locale = 'en' | 'zh';
